import { useNavigation } from '@remix-run/react'
import { startAuthentication, startRegistration } from '@simplewebauthn/browser'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'

/**
 * The button that runs a passkey ceremony: it asks the server for options,
 * lets the browser talk to the authenticator, and submits the surrounding
 * form with the answer in its hidden `credential` field, so the page's action
 * does the rest as for any other form. A passkey needs the browser's WebAuthn
 * and so JavaScript; until the page has it (or where the browser has no
 * WebAuthn), the button is not shown and a line says what to use instead.
 */
export function PasskeyCeremony({
  ceremony,
  csrf,
  label,
}: {
  ceremony: 'register' | 'sign-in'
  csrf: string
  label: string
}) {
  const { t } = useTranslation('staff')
  const [supported, setSupported] = useState(false)
  const [problem, setProblem] = useState<string>()
  const [busy, setBusy] = useState(false)
  const button = useRef<HTMLButtonElement>(null)
  const navigation = useNavigation()
  useEffect(() => setSupported(typeof window.PublicKeyCredential === 'function'), [])

  async function run() {
    const form = button.current?.form
    const field = form?.elements.namedItem('credential')
    if (!form || !(field instanceof HTMLInputElement)) return
    setBusy(true)
    setProblem(undefined)
    const problem = await ceremonyAnswer(ceremony, csrf).then(
      (answer) => {
        if (typeof answer !== 'string') return answer.problem
        field.value = answer
        return undefined
      },
      // Cancelled at the device's prompt, timed out, or no matching passkey on this device.
      () => 'cancelled' as const,
    )
    setBusy(false)
    if (problem) {
      setProblem(t(`passkeys.problems.${problem}`))
      return
    }
    // The page's action takes it from here; the button stays disabled while it does.
    form.requestSubmit()
  }

  return (
    <div className="passkey-ceremony">
      <input type="hidden" name="credential" defaultValue="" />
      {supported ? (
        <button
          ref={button}
          type="button"
          className="button button--primary"
          onClick={run}
          disabled={busy || navigation.state !== 'idle'}
        >
          {label}
        </button>
      ) : (
        <p className="field__hint">{t('passkeys.needsScript')}</p>
      )}
      <p aria-live="polite" className={problem ? 'callout callout--error' : undefined}>
        {problem}
      </p>
    </div>
  )
}

/** The authenticator's answer as JSON text, or what stopped it before the authenticator was asked. */
async function ceremonyAnswer(
  ceremony: 'register' | 'sign-in',
  csrf: string,
): Promise<string | { problem: 'stepUp' | 'unavailable' }> {
  // URL-encoded, as every form of the portal posts (the server refuses other bodies with 415).
  const answer = await fetch('/staff/passkey-options', {
    method: 'POST',
    body: new URLSearchParams({ csrf, ceremony }),
  })
  const options = await answer.json()
  if (!answer.ok) return { problem: options.error === 'step-up' ? 'stepUp' : 'unavailable' }
  const credential =
    ceremony === 'register'
      ? await startRegistration({ optionsJSON: options })
      : await startAuthentication({ optionsJSON: options })
  return JSON.stringify(credential)
}
