import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { CsrfField } from '~/ui/csrf-field'
import { OneTimeCodeField } from '~/ui/one-time-code-field'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { ReturnsContact } from '~/ui/returns-contact'
import { SupportContact } from '~/ui/support-contact'
import { TextField } from '~/ui/text-field'

type Typed = { reference: string; email: string }
type StepProps = {
  csrf: string
  typed: Typed | undefined
  errors: Partial<Record<string, string>>
  rateLimited: { retryAt: string } | undefined
}

/** The reference and the address the request was made with. */
export function StatusAskForm({ csrf, typed, errors, rateLimited }: StepProps) {
  const { t } = useTranslation('returns')
  const error = (field: string, prefix: string) =>
    errors[field] ? t(`${prefix}.${errors[field]}`) : undefined
  return (
    <>
      {rateLimited ? <RateLimitedNotice retryAt={rateLimited.retryAt} /> : null}
      <p>{t('status.intro')}</p>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <input type="hidden" name="intent" value="ask" />
        <TextField
          id="reference"
          name="reference"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="characters"
          maxLength={40}
          label={t('status.reference.label')}
          hint={t('status.reference.hint')}
          error={error('reference', 'status.errors')}
          defaultValue={typed?.reference}
        />
        <TextField
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          spellCheck={false}
          label={t('new.email.label')}
          error={error('email', 'new.errors')}
          defaultValue={typed?.email}
        />
        <button type="submit" className="button button--primary">
          {t('status.submit')}
        </button>
      </Form>
      <ReturnsContacts />
    </>
  )
}

/** The code sent to the address; the reference and address ride along, as typed. */
export function StatusCodeForm({ csrf, typed, errors, rateLimited }: StepProps & { typed: Typed }) {
  const { t } = useTranslation('returns')
  return (
    <>
      {rateLimited ? <RateLimitedNotice retryAt={rateLimited.retryAt} /> : null}
      <p>{t('status.codeIntro', { email: typed.email })}</p>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <input type="hidden" name="intent" value="view" />
        <input type="hidden" name="reference" value={typed.reference} />
        <input type="hidden" name="email" value={typed.email} />
        <OneTimeCodeField
          label={t('confirm.label')}
          hint={t('confirm.hint')}
          error={errors.code ? t(`confirm.errors.${errors.code}`) : undefined}
        />
        <button type="submit" className="button button--primary">
          {t('status.codeSubmit')}
        </button>
      </Form>
      <ReturnsContacts />
    </>
  )
}

/** The returns desk, then the customer desk. */
export function ReturnsContacts() {
  return (
    <>
      <ReturnsContact />
      <SupportContact />
    </>
  )
}
