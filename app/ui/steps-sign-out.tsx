import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CsrfField } from './csrf-field'

/**
 * A way to stop in the middle of the members' steps, on a shared or borrowed
 * phone: without it, a person who sets a password and walks away leaves the
 * session open until it expires. What is done stays done; the next visit
 * starts at the first step still open.
 */
export function StepsSignOut({ csrf }: { csrf: string }) {
  const { t } = useTranslation('account')
  return (
    <Form method="post" action="/signout" className="steps-signout">
      <p>{t('stepsSignOut.hint')}</p>
      <CsrfField token={csrf} />
      <button type="submit" className="button button--secondary">
        {t('hub.signOut')}
      </button>
    </Form>
  )
}
