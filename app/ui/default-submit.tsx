/**
 * The button Enter presses. A form's implicit submission uses its first
 * submit button, and in a password form that would be the show/hide button;
 * this one, first and out of sight, makes Enter submit the form instead.
 */
export function DefaultSubmit({ name, value }: { name: string; value: string }) {
  return (
    <button
      type="submit"
      name={name}
      value={value}
      className="visually-hidden"
      tabIndex={-1}
      aria-hidden="true"
    />
  )
}
