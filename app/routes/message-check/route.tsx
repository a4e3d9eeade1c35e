import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, readForm, textField } from '~/forms/bounded-form'
import { getPageMeta } from '~/i18n/page-meta.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import {
  invalid,
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { TextField } from '~/ui/text-field'
import { checkMessage, isAddressLike, officialSenders } from '~/verify/message-check.server'

export const handle = { i18n: ['messageCheck'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, headers } = await personalFormToken(request)
  const senders = officialSenders({ mailFrom: getConfig().MAIL_FROM, supportEmail: SUPPORT_EMAIL })
  return data({ meta: await getPageMeta(request, 'messageCheck'), csrf: token, senders }, { headers })
}

const messageForm = boundedForm({
  reference: textField({ max: 64, required: 'referenceRequired', tooLong: 'checkTheReference' }, (text) =>
    text.trim().min(1, 'referenceRequired'),
  ),
  address: textField({ max: 254, required: 'addressRequired', tooLong: 'addressInvalid' }, (text) =>
    text.trim().min(1, 'addressRequired').refine(isAddressLike, 'addressInvalid'),
  ),
})

type Field = 'reference' | 'address'

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const echo = {
    reference: String(post.form.get('reference') ?? '').slice(0, 64),
    address: String(post.form.get('address') ?? '').slice(0, 254),
  }
  const parsed = readForm(post.form, messageForm)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return invalid({
      field: (issue?.path[0] ?? 'reference') as Field,
      error: issue?.message ?? 'checkTheReference',
      ...echo,
    })
  }
  const answer = checkMessage({ db: db(), crypto: portalCrypto() }, parsed.data)
  // A typo the check symbol caught looked nothing up: no attempt to count.
  if (answer === 'check_the_reference')
    return invalid({ field: 'reference' as Field, error: 'checkTheReference', ...echo })
  if (answer === 'not_sent') {
    const limit = countFailure(post.ip)
    if (limit.limited) return tooManyRequests(limit, echo)
  }
  // Sent or not, the same status: only the words differ.
  return data({ answer, ...echo }, { headers: PERSONAL_PAGE_HEADERS })
}

export default function MessageCheckPage() {
  const { t } = useTranslation('messageCheck')
  const { csrf, senders } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const failed = result && 'error' in result ? result : undefined
  const answer = result && 'answer' in result ? result.answer : undefined
  const errorFor = (field: Field) => (failed?.field === field ? t(`errors.${failed.error}`) : undefined)
  return (
    <article className="prose check message-check">
      <h1>{t('heading')}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      {answer === 'sent' ? (
        <section className="callout message-check__answer" role="status" aria-labelledby="answer-heading">
          <h2 id="answer-heading">{t('sent.heading')}</h2>
          <p>{t('sent.body')}</p>
        </section>
      ) : null}
      {answer === 'not_sent' ? (
        <section className="callout message-check__answer" role="alert" aria-labelledby="answer-heading">
          <h2 id="answer-heading">{t('notSent.heading')}</h2>
          <p>{t('notSent.body')}</p>
          <ul>
            <li>{t('notSent.steps.act')}</li>
            <li>{t('notSent.steps.links')}</li>
            <li>{t('notSent.steps.phone')}</li>
            <li>{t('notSent.steps.delete')}</li>
          </ul>
          <p>{t('notSent.typo')}</p>
        </section>
      ) : null}
      <p>{t('intro')}</p>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <TextField
          id="reference"
          name="reference"
          type="text"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={64}
          label={t('form.referenceLabel')}
          hint={t('form.referenceHint')}
          error={errorFor('reference')}
          defaultValue={result && 'reference' in result ? result.reference : undefined}
        />
        <TextField
          id="address"
          name="address"
          type="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={254}
          label={t('form.addressLabel')}
          hint={t('form.addressHint')}
          error={errorFor('address')}
          defaultValue={result && 'address' in result ? result.address : undefined}
        />
        <button type="submit" className="button button--primary">
          {t('form.submit')}
        </button>
      </Form>
      <section aria-labelledby="senders-heading">
        <h2 id="senders-heading">{t('senders.heading')}</h2>
        <p>{t('senders.addresses')}</p>
        <ul>
          {senders.addresses.map((address) => (
            <li key={address}>
              <code>{address}</code>
            </li>
          ))}
        </ul>
        <p>{t('senders.domains')}</p>
        <ul>
          {senders.domains.map((domain) => (
            <li key={domain}>
              <code>{domain}</code>
            </li>
          ))}
        </ul>
        <p>{t('senders.never')}</p>
      </section>
      <p>
        <Link to="/check">{t('backToCheck')}</Link>
      </p>
    </article>
  )
}
