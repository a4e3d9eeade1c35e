import { Form, Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CsrfField } from '~/ui/csrf-field'
import { SupportContact } from '~/ui/support-contact'

/**
 * The pages a person sees when the portal stops them without anything having
 * gone wrong: their session ended (or never began) on a personal page, or a
 * form came back without the cookie its token belongs to (the browser was
 * closed). Both are thrown as 403 answers whose data says which (see
 * app/session/session.server.ts and app/session/csrf.server.ts) and shown by
 * the error boundary, so every personal page has them without a line of its own.
 */

export type CheckWayName = 'email' | 'letter' | 'signin'

export type SessionEnded = {
  sessionEnded: {
    /** How this browser last proved who it is; null when it never did, or does not say. */
    way: CheckWayName | null
    /** Whether there was a session that ended, rather than none at all. */
    ended: boolean
    idleMinutes: number
    maxHours: number
  }
}

export type FormExpired = {
  formExpired:
    | { kind: 'reopen'; path: string }
    /** A form with nothing to type (sign out): sent again from here, with a fresh token. */
    | { kind: 'repost'; path: string; csrf: string }
}

const WAY_PATHS: Record<CheckWayName, string> = {
  email: '/check/email',
  letter: '/check/letter',
  signin: '/signin',
}

export function isSessionEnded(data: unknown): data is SessionEnded {
  return typeof data === 'object' && data !== null && 'sessionEnded' in data
}

export function isFormExpired(data: unknown): data is FormExpired {
  return typeof data === 'object' && data !== null && 'formExpired' in data
}

export function SessionEndedPage({ sessionEnded }: SessionEnded) {
  const { t } = useTranslation()
  const { way, ended, idleMinutes, maxHours } = sessionEnded
  const state = ended ? 'ended' : 'notYet'
  return (
    <section className="error-page stopped-page" aria-labelledby="error-title">
      <h1 id="error-title">{t(`sessionEnded.${state}.title`)}</h1>
      <p>{t(`sessionEnded.${state}.body`, { idleMinutes, maxHours })}</p>
      <p>{t(way === 'signin' ? 'sessionEnded.nextSignIn' : 'sessionEnded.next')}</p>
      <p>
        <Link to={way ? WAY_PATHS[way] : '/check'} className="button button--primary">
          {t(`sessionEnded.ways.${way ?? 'any'}`)}
        </Link>
      </p>
      {way ? (
        <p className="link-row">
          <Link to="/check">{t('sessionEnded.otherWays')}</Link>
        </p>
      ) : null}
      <SupportContact />
    </section>
  )
}

export function FormExpiredPage({ formExpired }: FormExpired) {
  const { t } = useTranslation()
  return (
    <section className="error-page stopped-page" aria-labelledby="error-title">
      <h1 id="error-title">{t('formExpired.title')}</h1>
      <p>{t('formExpired.body')}</p>
      {formExpired.kind === 'repost' ? (
        <Form method="post" action={formExpired.path}>
          <CsrfField token={formExpired.csrf} />
          <button type="submit" className="button button--primary">
            {t('formExpired.repost')}
          </button>
        </Form>
      ) : (
        <p>
          <Link to={formExpired.path} className="button button--primary" reloadDocument>
            {t('formExpired.reopen')}
          </Link>
        </p>
      )}
      <SupportContact />
    </section>
  )
}
