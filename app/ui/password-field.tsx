import { type InputHTMLAttributes, useEffect, useState } from 'react'
import { FieldFrame } from './text-field'

/**
 * A password input with a show/hide button. With JavaScript the button flips
 * the input at once; without it, the button submits the form with
 * `intent=show|hide` and the server renders the field the other way, so the
 * toggle works either way.
 */
export function PasswordField({
  id,
  label,
  hint,
  error,
  shown: shownByServer = false,
  showLabel,
  hideLabel,
  ...input
}: {
  id: string
  label: string
  hint?: string
  error?: string
  shown?: boolean
  showLabel: string
  hideLabel: string
} & InputHTMLAttributes<HTMLInputElement>) {
  const [shown, setShown] = useState(shownByServer)
  // Until hydration the button must submit (the no-JavaScript toggle); after it, it only flips.
  const [hydrated, setHydrated] = useState(false)
  useEffect(() => setHydrated(true), [])
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      {(described) => (
        <div className="password-field">
          <input
            id={id}
            type={shown ? 'text' : 'password'}
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            {...described}
            {...input}
          />
          <button
            type={hydrated ? 'button' : 'submit'}
            name="intent"
            value={shown ? 'hide' : 'show'}
            className="button button--secondary"
            aria-controls={id}
            aria-pressed={shown}
            onClick={() => setShown(!shown)}
          >
            {shown ? hideLabel : showLabel}
          </button>
        </div>
      )}
    </FieldFrame>
  )
}
