import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { limitAccountPost } from '~/accounts/account-limits.server'
import { confirmDetails, savedCards } from '~/accounts/details-confirmation.server'
import { requireMember } from '~/accounts/member-guard.server'
import { prefecturesOfPostalCode } from '~/accounts/postal-codes.server'
import { PREFECTURES } from '~/accounts/prefectures'
import { GENDER_CHOICES, REGISTRATION_FIELDS, type RegistrationField } from '~/accounts/registration-fields'
import { fieldErrorsOf, registrationDetailsForm } from '~/accounts/registration-form'
import { detailsFromRecord } from '~/accounts/registration-prefill'
import { firstOpenStep, nextStepPath, STEP_PATHS, stepsOf } from '~/accounts/required-actions'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { readForm } from '~/forms/bounded-form'
import { dateFormat } from '~/i18n/date-format'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { invalid, personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import type { LimitCheck } from '~/security/rate-limit.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { assertSafeRequest } from '~/session/csrf.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { StepIndicator } from '~/ui/step-indicator'
import { StepsSignOut } from '~/ui/steps-sign-out'
import { TextField } from '~/ui/text-field'

export const handle = { i18n: ['account'] }

export const meta = pageMeta

export const headers = personalPageHeaders

/** The details page: open once the new password is set, and again whenever the member wants. */
async function requireDetailsAccess(request: Request) {
  const account = await requireMember(request)
  if (account.openActions.includes('reset_password')) throw redirect(STEP_PATHS.reset_password)
  return account
}

export async function loader({ request }: LoaderFunctionArgs) {
  const account = await requireDetailsAccess(request)
  const { token, headers } = await personalFormToken(request)
  const cards = await savedCards({ db: db(), crypto: portalCrypto(), account })
  const language = await requestLanguage(request)
  return data(
    {
      meta: await getSubPageMeta(request, 'account', 'details'),
      csrf: token,
      steps: firstOpenStep(account.openActions) ? stepsOf(account.openActions) : null,
      values: detailsFromRecord({ ...account.details, naturalId: account.memberId }),
      memberId: account.memberId,
      // No address on file (told by postcard): the field may stay empty, and nothing speaks of an old address.
      hasEmail: Boolean(account.details.email),
      cards,
      confirmedOn: account.detailsConfirmedAt
        ? dateFormat(language, { dateStyle: 'long' }).format(new Date(account.detailsConfirmedAt))
        : null,
    },
    { headers },
  )
}

const cardChoice = z.enum(['keep', 'remove'])

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  await assertSafeRequest(request, form)
  const account = await requireDetailsAccess(request)
  const typed = Object.fromEntries(
    REGISTRATION_FIELDS.map((field) => [field, String(form.get(field) ?? '').slice(0, 300)]),
  ) as Record<RegistrationField, string>
  const cards = await savedCards({ db: db(), crypto: portalCrypto(), account })
  const choices = cards.map((card) => ({
    id: card.id,
    choice: cardChoice.safeParse(form.get(`card-${card.id}`)),
  }))
  const cardChoices = Object.fromEntries(
    choices.map(({ id, choice }) => [id, choice.success ? choice.data : null]),
  )
  // What a refused post gives back: nothing saved, everything typed still in the form.
  const refusal = (limit: Extract<LimitCheck, { limited: true }>) =>
    tooManyRequests(limit, { errors: {}, cardsError: null, typed, cardChoices })
  const client = await limitAccountPost(context, { post: 'details', account })
  if (client.limited) return refusal(client)
  const parsed = readForm(
    form,
    registrationDetailsForm({
      prefecturesFor: prefecturesOfPostalCode,
      emailOptional: !account.details.email,
    }),
  )
  const cardsValid = choices.every(({ choice }) => choice.success)
  if (!parsed.success || !cardsValid) {
    return invalid({
      errors: parsed.success ? {} : fieldErrorsOf(parsed.error),
      cardsError: cardsValid ? null : 'details.errors.cardChoice',
      typed,
      cardChoices,
    })
  }
  const language = await requestLanguage(request)
  const confirmed = await confirmDetails({
    db: db(),
    crypto: portalCrypto(),
    account,
    details: parsed.data,
    removeCardIds: choices.filter(({ choice }) => choice.data === 'remove').map(({ id }) => id),
    language,
    portalAddress: printedPortalAddress(getConfig().PUBLIC_URL),
  })
  if (confirmed.refused) return refusal(confirmed.refused)
  return redirect(`${nextStepPath(confirmed.openActions)}?saved=details`, 303)
}

export default function DetailsPage() {
  const { t } = useTranslation('account')
  const { csrf, steps, values, cards, confirmedOn, memberId, hasEmail } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [searchParams] = useSearchParams()
  const errors: Partial<Record<RegistrationField, string>> = result?.errors ?? {}
  const shown = result?.typed ?? values
  const errorOf = (field: RegistrationField) => (errors[field] ? t(errors[field] as string) : undefined)
  const text = (field: RegistrationField, extra: Record<string, unknown> = {}) => (
    <TextField
      id={field}
      name={field}
      label={t(`details.fields.${field}`)}
      error={errorOf(field)}
      defaultValue={shown[field]}
      {...extra}
    />
  )
  return (
    <article className="prose account">
      {steps ? <StepIndicator steps={steps} current="reconfirm_details" /> : null}
      {searchParams.get('saved') === 'password' ? (
        <p className="callout" role="status">
          {t('password.saved')}
        </p>
      ) : null}
      <h1>{t('details.heading')}</h1>
      <p>{t('details.intro')}</p>
      <p>{t('details.memberId', { memberId })}</p>
      {confirmedOn ? <p>{t('details.history', { date: confirmedOn })}</p> : null}
      {result && 'rateLimited' in result ? (
        <>
          <RateLimitedNotice retryAt={result.rateLimited.retryAt} />
          <p>{t('details.rateLimited')}</p>
        </>
      ) : result ? (
        <p className="callout callout--error" role="alert">
          {t('details.fixErrors')}
        </p>
      ) : null}
      <Form method="post" className="check-form details-form" noValidate>
        <CsrfField token={csrf} />
        <fieldset>
          <legend>{t('details.sections.name')}</legend>
          {text('familyName', { autoComplete: 'family-name' })}
          {text('givenName', { autoComplete: 'given-name' })}
          {text('familyNameKana', { hint: t('details.hints.kana') })}
          {text('givenNameKana', { hint: t('details.hints.kana') })}
        </fieldset>
        <fieldset>
          <legend>{t('details.sections.personal')}</legend>
          {text('birthDate', { type: 'date', autoComplete: 'bday' })}
          <fieldset
            className={errors.gender ? 'field field--invalid choices' : 'field choices'}
            aria-describedby={errors.gender ? 'gender-error' : undefined}
          >
            <legend>{t('details.fields.gender')}</legend>
            {errors.gender ? (
              <p id="gender-error" className="field__error">
                {errorOf('gender')}
              </p>
            ) : null}
            {GENDER_CHOICES.map((choice) => (
              <label key={choice.value} className="choice">
                <input
                  type="radio"
                  name="gender"
                  value={choice.value}
                  defaultChecked={shown.gender === choice.value}
                />{' '}
                {t(choice.labelKey)}
              </label>
            ))}
          </fieldset>
        </fieldset>
        <fieldset>
          <legend>{t('details.sections.contact')}</legend>
          {text('email', {
            type: 'email',
            autoComplete: 'email',
            inputMode: 'email',
            spellCheck: false,
            ...(hasEmail
              ? { hint: t('details.hints.email') }
              : { label: t('details.fields.emailOptional'), hint: t('details.hints.emailOptional') }),
          })}
          {text('phone', { type: 'tel', autoComplete: 'tel-national', hint: t('details.hints.phone') })}
        </fieldset>
        <fieldset>
          <legend>{t('details.sections.address')}</legend>
          {text('postalCode', {
            autoComplete: 'postal-code',
            inputMode: 'numeric',
            hint: t('details.hints.postalCode'),
          })}
          <div className={errors.prefecture ? 'field field--invalid' : 'field'}>
            <label htmlFor="prefecture">{t('details.fields.prefecture')}</label>
            {errors.prefecture ? (
              <p id="prefecture-error" className="field__error">
                {errorOf('prefecture')}
              </p>
            ) : null}
            <select
              id="prefecture"
              name="prefecture"
              autoComplete="address-level1"
              defaultValue={shown.prefecture}
              aria-invalid={errors.prefecture ? true : undefined}
              aria-describedby={errors.prefecture ? 'prefecture-error' : undefined}
            >
              <option value="">{t('details.choosePrefecture')}</option>
              {PREFECTURES.map((prefecture) => (
                <option key={prefecture.code} value={prefecture.name}>
                  {prefecture.name}
                </option>
              ))}
            </select>
          </div>
          {text('city', { autoComplete: 'address-level2' })}
          {text('addressLine1', { autoComplete: 'address-line1' })}
          {text('addressLine2', { autoComplete: 'address-line2' })}
        </fieldset>
        <fieldset>
          <legend>{t('details.sections.cards')}</legend>
          {cards.length === 0 ? <p>{t('details.cards.none')}</p> : <p>{t('details.cards.intro')}</p>}
          {result?.cardsError ? <p className="field__error">{t(result.cardsError)}</p> : null}
          {cards.map((card) => (
            <fieldset key={card.id} className="field choices">
              <legend>{t('details.cards.card', { masked: card.masked })}</legend>
              {(['keep', 'remove'] as const).map((choice) => (
                <label key={choice} className="choice">
                  <input
                    type="radio"
                    name={`card-${card.id}`}
                    value={choice}
                    defaultChecked={(result?.cardChoices?.[card.id] ?? 'keep') === choice}
                  />{' '}
                  {t(`details.cards.${choice}`)}
                </label>
              ))}
            </fieldset>
          ))}
        </fieldset>
        <button type="submit" className="button button--primary">
          {t('details.submit')}
        </button>
      </Form>
      <StepsSignOut csrf={csrf} />
    </article>
  )
}
