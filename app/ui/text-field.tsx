import type { InputHTMLAttributes, ReactNode } from 'react'

/** `label` may hold markup (a Japanese phrase marked for screen readers inside English). */
export type FieldText = { id: string; label: ReactNode; hint?: string; error?: string }

/**
 * A field's label, hint and, after a failed submit, the reason next to it,
 * around its input. `children` gets the attributes that tie the input to
 * them (aria-describedby, so a screen reader reads both; aria-invalid).
 */
export function FieldFrame({
  id,
  label,
  hint,
  error,
  children,
}: FieldText & {
  children: (described: { 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode
}) {
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const describedBy = [errorId, hintId].filter(Boolean).join(' ')
  return (
    <div className={error ? 'field field--invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={hintId} className="field__hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field__error">
          {error}
        </p>
      ) : null}
      {children({
        ...(error ? { 'aria-invalid': true as const } : {}),
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
    </div>
  )
}

/** A labelled text input with its hint and error (see FieldFrame). */
export function TextField({
  id,
  label,
  hint,
  error,
  ...input
}: FieldText & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      {(described) => <input id={id} {...described} {...input} />}
    </FieldFrame>
  )
}
