import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
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
import { normaliseIdentifier } from '~db/normalise'

export const handle = { i18n: ['messageCheck'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export async function loader({ request }: LoaderFunctionArgs) {
  const { token, headers } = await personalFormToken(request)
  const senders = officialSenders({ mailFrom: getConfig().MAIL_FROM, supportEmail: SUPPORT_EMAIL })
  return data({ meta: await getPageMeta(request, 'messageCheck'), csrf: token, senders }, { headers })
}

const messageForm = boundedForm(
  {
    reference: textField({ max: 64, required: 'referenceRequired', tooLong: 'checkTheReference' }, (text) =>
      text.trim().min(1, 'referenceRequired'),
    ),
    // Either may be left empty, not both: a handout's holder has a staff ID, not an address.
    address: textField({ max: 254, required: 'addressRequired', tooLong: 'addressInvalid' }, (text) =>
      text
        .trim()
        .refine((typed) => typed === '' || isAddressLike(typed), 'addressInvalid')
        .optional(),
    ),
    // As long as the letter check allows a staff ID, and read by the same normaliser.
    staffId: textField({ max: 64, required: 'staffIdInvalid', tooLong: 'staffIdInvalid' }, (text) =>
      text
        .trim()
        .refine((typed) => typed === '' || normaliseIdentifier(typed) !== undefined, 'staffIdInvalid')
        .optional(),
    ),
  },
  (form) =>
    form.refine((typed) => Boolean(typed.address) || Boolean(typed.staffId), {
      path: ['address'],
      message: 'addressRequired',
    }),
)

type Field = 'reference' | 'address' | 'staffId'

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const echo = {
    reference: String(post.form.get('reference') ?? '').slice(0, 64),
    address: String(post.form.get('address') ?? '').slice(0, 254),
    staffId: String(post.form.get('staffId') ?? '').slice(0, 64),
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
  const answer = await checkMessage({ db: db(), crypto: portalCrypto() }, parsed.data)
  // A typo the check symbol caught looked nothing up: no attempt to count.
  if (answer === 'check_the_reference')
    return invalid({ field: 'reference' as Field, error: 'checkTheReference', ...echo })
  if (answer === 'not_sent') {
    const limit = await countFailure(post.ip)
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
        <Answer kind="sent" heading={t('sent.heading')}>
          <p>{t('sent.body')}</p>
        </Answer>
      ) : null}
      {answer === 'not_sent' ? (
        <Answer kind="not-sent" heading={t('notSent.heading')}>
          {/* A typo is the likelier reason: checking it comes first, then what to do with the message. */}
          <p>{t('notSent.typo')}</p>
          <p>{t('notSent.body')}</p>
          <ul>
            <li>{t('notSent.steps.act')}</li>
            <li>{t('notSent.steps.links')}</li>
            <li>{t('notSent.steps.phone')}</li>
            <li>{t('notSent.steps.delete')}</li>
          </ul>
        </Answer>
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
        <TextField
          id="staffId"
          name="staffId"
          type="text"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={64}
          label={t('form.staffIdLabel')}
          hint={t('form.staffIdHint')}
          error={errorFor('staffId')}
          defaultValue={result && 'staffId' in result ? result.staffId : undefined}
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
      <p className="link-row">
        <Link to="/check">{t('backToCheck')}</Link>
      </p>
    </article>
  )
}

/** A check mark or a cross beside the answer's words, so the two never differ by colour alone. */
/**
 * The answer, set apart by colour, a check mark or cross and its words, never colour alone; "not
 * sent" is an alert, since the person may be holding a phishing message.
 */
function Answer({ kind, heading, children }: { kind: AnswerKind; heading: string; children: ReactNode }) {
  return (
    <section
      className={`callout message-check__answer message-check__answer--${kind}`}
      role={kind === 'sent' ? 'status' : 'alert'}
      aria-labelledby="answer-heading"
    >
      <h2 id="answer-heading">
        <AnswerIcon kind={kind} />
        {heading}
      </h2>
      {children}
    </section>
  )
}

type AnswerKind = 'sent' | 'not-sent'

function AnswerIcon({ kind }: { kind: AnswerKind }) {
  return (
    <svg
      className={`message-check__icon message-check__icon--${kind}`}
      viewBox="0 0 24 24"
      width="28"
      height="28"
      aria-hidden="true"
      focusable="false"
    >
      <circle cx="12" cy="12" r="11" fill="currentColor" />
      {kind === 'sent' ? (
        <path d="M6.5 12.5l3.5 3.5 7.5-8" fill="none" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
      ) : (
        <path d="M8 8l8 8M16 8l-8 8" fill="none" stroke="#fff" strokeWidth="2.5" strokeLinecap="round" />
      )}
    </svg>
  )
}
