import { Form, Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { dateFormat } from '~/i18n/date-format'
import { CsrfField } from '~/ui/csrf-field'
import { SupportContact } from '~/ui/support-contact'

/**
 * What the e-mail code page says when there is no code to try: the code was
 * spent (5 wrong tries), expired, or e-mail codes are closed for the address;
 * and for a spent or expired code, whether a new one can be sent now or from
 * when (the per-address limits). Each says what happened, what to do next and
 * whom to ask.
 */

export type DeadCodeState = 'spent' | 'expired' | 'closed'

/** "Send the code again" to the address typed, which the session keeps. */
export function ResendForm({ csrf, primary = false }: { csrf: string; primary?: boolean }) {
  const { t } = useTranslation('check')
  return (
    <Form method="post" className="resend-form" noValidate>
      <CsrfField token={csrf} />
      <input type="hidden" name="intent" value="resend" />
      <button type="submit" className={primary ? 'button button--primary' : 'button'}>
        {t('emailCode.again')}
      </button>
    </Form>
  )
}

export function DeadCode({
  state,
  csrf,
  wait,
}: {
  state: DeadCodeState
  csrf: string
  wait?: { retryAt: string; sameDay: boolean }
}) {
  const { t } = useTranslation('check')
  if (wait && state !== 'closed') return <WaitForCode state={state} wait={wait} />
  return (
    <article className="prose check">
      <h1>{t(`emailCode.${state}.heading`)}</h1>
      <div className="callout callout--error" role="alert">
        <p>{t(`emailCode.${state}.what`)}</p>
      </div>
      <p>{t(`emailCode.${state}.next`)}</p>
      {state === 'closed' ? (
        <p>
          <Link to="/check/letter" className="button button--primary">
            {t('emailCode.closed.letter')}
          </Link>
        </p>
      ) : (
        <>
          <ResendForm csrf={csrf} primary />
          <p className="link-row">
            <Link to="/check/email">{t('emailCode.otherAddress')}</Link>
          </p>
        </>
      )}
      <SupportContact />
    </article>
  )
}

/**
 * A dead code, and no new one may be sent before the per-address limit's
 * window ends: when, in Japan time, and the letter code meanwhile. No button
 * that would only be refused.
 */
function WaitForCode({
  state,
  wait,
}: {
  state: Exclude<DeadCodeState, 'closed'>
  wait: { retryAt: string; sameDay: boolean }
}) {
  const { t } = useTranslation('check')
  const when = useJapanTime(wait.retryAt, wait.sameDay)
  return (
    <article className="prose check">
      <h1>{t(`emailCode.wait.${state}.heading`)}</h1>
      <div className="callout callout--error" role="alert">
        <p>{t(`emailCode.wait.${state}.what`)}</p>
      </div>
      <p className="retry-at">
        <strong>{t('emailCode.wait.next', { when })}</strong>
      </p>
      <p>{t('emailCode.wait.meanwhile')}</p>
      <p>
        <Link to="/check/letter" className="button">
          {t('emailCode.closed.letter')}
        </Link>
      </p>
      <SupportContact />
    </article>
  )
}

/** "21時30分（日本時間）" / "21:30 (Japan time)", with the date when it is not today in Japan. */
export function useJapanTime(iso: string, sameDay: boolean) {
  const { t, i18n } = useTranslation('check')
  const moment = new Date(iso)
  const parts = dateFormat(i18n.language, {
    hour: 'numeric',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(moment)
  const part = (type: string) => parts.find((found) => found.type === type)?.value ?? ''
  const values = { hour: part('hour'), minute: part('minute') }
  if (sameDay) return t('emailCode.wait.at', values)
  const date = dateFormat(i18n.language, { month: 'long', day: 'numeric' }).format(moment)
  return t('emailCode.wait.atOnDate', { ...values, date })
}
