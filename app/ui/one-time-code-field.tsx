import type { FieldText } from './text-field'
import { TextField } from './text-field'

/**
 * The box for a 6-digit code from an e-mail: numeric keypad on a phone, the
 * code offered from the message by the browser, and room for the spaces or
 * hyphen people type between the groups (the reader folds them away).
 */
export function OneTimeCodeField({
  id = 'code',
  name = 'code',
  ...text
}: Omit<FieldText, 'id'> & { id?: string; name?: string }) {
  return (
    <TextField
      id={id}
      name={name}
      type="text"
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={20}
      {...text}
    />
  )
}
