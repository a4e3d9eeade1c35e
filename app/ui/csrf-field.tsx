import { useActionData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'

/**
 * The CSRF token every state-changing form carries (see app/session/csrf.server.ts,
 * which checks the field of this name against the visitor's CSRF cookie).
 *
 * A form sent back because its token had expired (app/security/form-post.server.ts)
 * comes with a fresh token in its action data: this field takes that one (with
 * JavaScript the page's loaders do not run again after a refused post) and says,
 * at the top of the form, what happened. `announce={false}` for a page's second form.
 */
export function CsrfField({
  token,
  form = 'page',
  announce = true,
}: {
  token: string
  form?: 'page' | 'language'
  announce?: boolean
}) {
  const result: unknown = useActionData()
  const fresh = form === 'page' ? freshToken(result) : undefined
  return (
    <>
      {fresh !== undefined && announce ? <FormExpiredNotice /> : null}
      <input type="hidden" name={form === 'page' ? 'csrf' : 'csrf-language'} value={fresh ?? token} />
    </>
  )
}

function freshToken(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null || !('formExpiredToken' in result)) return undefined
  const token = (result as { formExpiredToken: unknown }).formExpiredToken
  return typeof token === 'string' ? token : undefined
}

/** Above a form sent back because its token had expired: what happened, and that it is ready again. */
function FormExpiredNotice() {
  const { t } = useTranslation()
  return (
    <p className="callout callout--error" role="alert">
      {t('formExpired.notice')}
    </p>
  )
}
