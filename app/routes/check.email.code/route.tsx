import { type ActionFunctionArgs, data, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, choiceField, readForm } from '~/forms/bounded-form'
import { sixDigitCodeField } from '~/forms/fields'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { countFailure, readGuardedPost } from '~/security/form-post.server'
import {
  invalid,
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import {
  getCustomerSession,
  saveChallenge,
  sessionEnded,
  startCheckedSession,
} from '~/session/session.server'
import { DeadCode, type DeadCodeState, ResendForm } from '~/ui/check/email-code-states'
import { CsrfField } from '~/ui/csrf-field'
import { OneTimeCodeField } from '~/ui/one-time-code-field'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { SupportContact } from '~/ui/support-contact'
import {
  askForEmailCodeAgain,
  checkPendingEmailCode,
  codePageState,
  type PendingEmailCheck,
  type Refused,
} from '~/verify/email-code-request.server'

export const handle = { i18n: ['check'] }

export const meta = pageMeta

export const headers = personalPageHeaders

const challengeSchema = z.object({
  type: z.literal('email'),
  target: z.string().regex(/^[0-9a-f]{32}$/),
  address: z.string().max(2000).optional(),
})

/**
 * The code the visitor is in the middle of entering; without one, the page that
 * says their check ended (or, checked already, their exposure view).
 */
async function pendingChallenge(request: Request): Promise<PendingEmailCheck> {
  const session = await getCustomerSession(request)
  const parsed = challengeSchema.safeParse(session?.challenge)
  if (parsed.success) return parsed.data
  throw session?.humanId ? redirect('/exposure') : await sessionEnded(request, 'email')
}

const store = () => ({ db: db(), crypto: portalCrypto() })

/** Japan's calendar day of a moment, to say the date only when the wait runs past today. */
const japanDay = (at: number) => Math.floor((at + 9 * 60 * 60 * 1000) / (24 * 60 * 60 * 1000))

function waitOf(refused: Refused) {
  return {
    retryAt: refused.retryAt.toISOString(),
    sameDay: japanDay(refused.retryAt.getTime()) === japanDay(Date.now()),
  }
}

/** The answer to a try that left the code dead: which way, and when a new one can be sent. */
type DeadAnswer = { error: DeadCodeState; state: DeadCodeState; wait?: ReturnType<typeof waitOf> }

export async function loader({ request }: LoaderFunctionArgs) {
  const challenge = await pendingChallenge(request)
  const { token, headers } = await personalFormToken(request)
  // The same for a known and an unknown address: both have a row and limits that count the same way.
  const { state, wait } = await codePageState(store(), challenge)
  // A dead code and no new one before the limit's window ends: 429, and when to come back.
  if (wait) headers.set('Retry-After', String(wait.retryAfterSeconds))
  return data(
    {
      meta: await getSubPageMeta(request, 'check', 'emailCode'),
      csrf: token,
      state,
      wait: wait ? waitOf(wait) : undefined,
      notifyUnknown: getConfig().NOTIFY_UNKNOWN_ADDRESSES === 'on',
    },
    { headers, status: wait ? 429 : 200 },
  )
}

const code = sixDigitCodeField({ required: 'required', format: 'format' })
const codeForm = boundedForm(
  { intent: choiceField(['confirm', 'resend'], { invalid: 'format' }), code },
  () =>
    z.discriminatedUnion(
      'intent',
      [
        z.object({ intent: z.literal('confirm').default('confirm'), code: code.schema }),
        z.object({ intent: z.literal('resend') }),
        // An intent that is neither (a hand-made post) is a malformed form, in the page's own words.
      ],
      { error: () => 'format' },
    ),
)

export async function action({ request, context }: ActionFunctionArgs) {
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const challenge = await pendingChallenge(request)
  const parsed = readForm(post.form, codeForm)
  if (!parsed.success) return invalid({ error: parsed.error.issues[0]?.message ?? 'format' })
  if (parsed.data.intent === 'resend') {
    const outcome = await askForEmailCodeAgain(store(), challenge, {
      language: await requestLanguage(request),
      portalAddress: printedPortalAddress(getConfig().PUBLIC_URL),
      notifyUnknown: getConfig().NOTIFY_UNKNOWN_ADDRESSES === 'on',
    })
    // No address kept (a session from before they were): the form to type it again.
    if (!outcome) return redirect('/check/email', 303)
    if (outcome.limited) return tooManyRequests(outcome, { codesLimited: true })
    const { setCookie } = await saveChallenge(request, outcome.pending)
    const headers = new Headers(PERSONAL_PAGE_HEADERS)
    if (setCookie) headers.append('Set-Cookie', setCookie)
    return data({ resent: true }, { headers })
  }
  const result = await checkPendingEmailCode(store(), challenge, parsed.data.code)
  if (!result.ok) {
    const limit = await countFailure(post.ip)
    if (limit.limited) return tooManyRequests(limit)
    if (result.reason === 'wrong') return invalid({ error: result.reason })
    // A dead code: the page says so (the answer carries it, as a 4xx is not followed by the
    // loader in the browser), and if no new one may be sent yet, until when, with Retry-After.
    const { wait } = await codePageState(store(), challenge)
    const dead: DeadAnswer = {
      error: result.reason,
      state: result.reason,
      wait: wait ? waitOf(wait) : undefined,
    }
    return wait ? tooManyRequests(wait, dead) : invalid(dead)
  }
  const headers = await startCheckedSession(request, result.humanId, 'email')
  return redirect('/exposure', { status: 303, headers })
}

export default function EmailCodePage() {
  const { t } = useTranslation('check')
  const loaded = useLoaderData<typeof loader>()
  const { csrf, notifyUnknown } = loaded
  const result = useActionData<typeof action>()
  const error = result && 'error' in result ? t(`emailCode.errors.${result.error}`) : undefined
  // A try that left the code dead says so itself; otherwise the loader's state holds.
  const { state, wait } = result && 'state' in result ? (result as DeadAnswer) : loaded
  if (state !== 'live') return <DeadCode state={state} csrf={csrf} wait={wait} />
  return (
    <article className="prose check">
      <h1>{t('emailCode.heading')}</h1>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      {result && 'codesLimited' in result ? <p>{t('emailCode.codesLimited')}</p> : null}
      {result && 'resent' in result ? (
        <p className="callout" role="status">
          {t('emailCode.resent')}
        </p>
      ) : null}
      <p>{t(notifyUnknown ? 'emailCode.sentToAll' : 'emailCode.sent')}</p>
      <Form method="post" className="check-form" noValidate>
        <CsrfField token={csrf} />
        <OneTimeCodeField label={t('emailCode.label')} error={error} />
        <button type="submit" className="button button--primary">
          {t('emailCode.submit')}
        </button>
      </Form>
      <p>{t(notifyUnknown ? 'emailCode.noMailToAll' : 'emailCode.noMail')}</p>
      <ResendForm csrf={csrf} />
      <p className="link-row">
        <Link to="/check/email">{t('emailCode.otherAddress')}</Link>
      </p>
      <SupportContact />
    </article>
  )
}
