import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

export async function loader({ request }: LoaderFunctionArgs) {
  const session = requireStaff(request)
  const { token, headers } = await personalFormToken(request)
  return data(
    {
      meta: await getSubPageMeta(request, 'staff', 'home'),
      csrf: token,
      role: session.role,
      staffId: session.staffId,
    },
    { headers },
  )
}

/** The console's home: who is signed in, what exists so far, the way out. */
export default function StaffHomePage() {
  const { t } = useTranslation('staff')
  const { csrf, role, staffId } = useLoaderData<typeof loader>()
  return (
    <article className="prose check">
      <h1>{t('home.heading')}</h1>
      <p>{t('home.signedInAs', { role: t(`home.roles.${role}`), staffId })}</p>
      <p>{t('home.mfaNext')}</p>
      <h2>{t('home.linksHeading')}</h2>
      <ul className="link-list">
        <li>
          <Link to="/staff/passkeys">{t('home.passkeysLink')}</Link>
        </li>
        <li>
          <Link to="/staff/password">{t('home.passwordLink')}</Link>
        </li>
        {role === 'supervisor' ? (
          <>
            <li>
              <Link to="/staff/audit">{t('home.auditLink')}</Link>
            </li>
            <li>
              <Link to="/staff/people">{t('home.peopleLink')}</Link>
            </li>
          </>
        ) : null}
      </ul>
      <p>{t('home.nothingYet')}</p>
      <Form method="post" action="/staff/logout">
        <CsrfField token={csrf} />
        <button type="submit" className="button button--secondary">
          {t('home.signOut')}
        </button>
      </Form>
    </article>
  )
}
