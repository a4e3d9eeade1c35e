import {
  type ActionFunctionArgs,
  data,
  type LinksFunction,
  type LoaderFunctionArgs,
  redirect,
} from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { readForm } from '~/forms/bounded-form'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { readGuardedPost } from '~/security/form-post.server'
import {
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { isCaseActionIntent } from '~/staff/case-action-names'
import { confirmIdentityOnCase } from '~/staff/case-call-back.server'
import { humanIdOf, openCasePage, revealOnCase } from '~/staff/case-page.server'
import { actOnCase, intentForm } from '~/staff/case-page-actions.server'
import { Moment } from '~/staff/moment'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { requireStaff } from '~/staff/staff-session.server'
import { requireRecentSecondFactor, stepUpRedirect } from '~/staff/staff-step-up.server'
import casesStyles from '~/styles/staff-cases.css'
import { pageMeta } from '~/ui/page-meta'
import { CallBackForm } from './call-back-form'
import { CaseActions } from './case-actions'
import { CaseRecords } from './case-records'
import { CaseRefused } from './case-refused'
import { CaseStatus } from './case-status'
import { CaseTimeline } from './case-timeline'
import { RevealedValue, RevealForm } from './reveal-form'

export const handle = { i18n: ['staff', 'exposure'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: casesStyles }]

const STATUS = { notFound: 404, ownRecord: 403, colleagueRecord: 403, overBudget: 429 } as const

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const session = await requireStaff(request)
  const { token, headers } = await personalFormToken(request)
  const meta = await getSubPageMeta(request, 'staff', 'caseView')
  const page = await openCasePage({
    db: db(),
    crypto: portalCrypto(),
    session,
    context,
    humanIdParam: params.humanId,
  })
  const asked = new URL(request.url).searchParams.get('done')?.slice(0, 32)
  const done = isCaseActionIntent(asked) ? asked : null
  if (!page.ok)
    return data(
      { meta, csrf: token, refused: page.reason, view: null, done: null, supervisor: false },
      { status: STATUS[page.reason], headers },
    )
  const supervisor = session.role === 'supervisor'
  return data({ meta, csrf: token, refused: null, view: page.view, done, supervisor }, { headers })
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const session = await requireStaff(request)
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const intent = readForm(post.form, intentForm)
  if (!intent.success)
    return data({ kind: 'invalid' as const, errors: {} }, { status: 400, headers: PERSONAL_PAGE_HEADERS })
  const humanId = humanIdOf(params.humanId)
  const common = { db: db(), crypto: portalCrypto(), session, context }
  if (intent.data.intent === 'reveal' || humanId === undefined) {
    // A reveal needs a second factor of the last five minutes; the form is filled in again after it.
    requireRecentSecondFactor(request, session)
    const answer = await revealOnCase({ ...common, humanIdParam: params.humanId, form: post.form })
    const status = answer.kind === 'revealed' ? 200 : answer.kind === 'refused' ? STATUS[answer.reason] : 422
    return data(answer, { status, headers: PERSONAL_PAGE_HEADERS })
  }
  if (intent.data.intent === 'confirm-identity') {
    const answer = await confirmIdentityOnCase({ ...common, humanId, form: post.form })
    // The same second factor as a reveal asks for: the form is chosen again after it, never replayed.
    if (answer.kind === 'stepUp') throw stepUpRedirect(request)
    if (answer.kind === 'done') {
      return redirect(`/staff/cases/${humanId}?done=confirm-identity`, {
        status: 303,
        headers: PERSONAL_PAGE_HEADERS,
      })
    }
    const status =
      answer.kind === 'refused' ? STATUS[answer.reason] : answer.kind === 'callBackDenied' ? 403 : 422
    return data(answer, { status, headers: PERSONAL_PAGE_HEADERS })
  }
  const acted = await actOnCase({ ...common, humanId, intent: intent.data.intent, form: post.form })
  if (acted.kind === 'done') {
    return redirect(`/staff/cases/${humanId}?done=${acted.intent}`, {
      status: 303,
      headers: PERSONAL_PAGE_HEADERS,
    })
  }
  if (acted.kind === 'rateLimited')
    return tooManyRequests(acted.limit, {
      resendLimits: { perCase: acted.perCase, perStaff: acted.perStaff },
    })
  if (acted.kind === 'resendRefused') return data(acted, { status: 422, headers: PERSONAL_PAGE_HEADERS })
  const status = acted.kind === 'refused' ? STATUS[acted.reason] : 422
  return data(acted.kind === 'refused' ? acted : { kind: 'noteInvalid' as const, errors: acted.errors }, {
    status,
    headers: PERSONAL_PAGE_HEADERS,
  })
}

export default function StaffCasePage() {
  const { t } = useTranslation('staff')
  const { csrf, refused, view, done, supervisor } = useLoaderData<typeof loader>()
  const posted = useActionData<typeof action>()
  // A stale form's or a limit's answer carries no `kind`: the page shows as after a plain load.
  const answer = posted && 'kind' in posted ? posted : undefined
  if (refused || !view) return <CaseRefused reason={refused ?? 'notFound'} />
  const revealed = answer?.kind === 'revealed' ? answer : undefined
  const resendLimited =
    posted && 'resendLimits' in posted
      ? (posted as { resendLimits: { perCase: number; perStaff: number }; rateLimited: { retryAt: string } })
      : undefined
  return (
    <article className="prose case">
      <h1>{t('caseView.heading', { id: view.humanId })}</h1>
      {done ? (
        <p className="callout callout--success" role="status">
          {t(`caseActions.done.${done}`)}
        </p>
      ) : null}
      {answer?.kind === 'refused' ? (
        <p className="callout" role="alert">
          {t(`caseView.reveal.refused.${answer.reason}`)}
        </p>
      ) : null}
      {answer?.kind === 'resendRefused' ? (
        <p className="callout" role="alert">
          {t(`caseView.actions.resendRefused.${answer.reason}`)}
        </p>
      ) : null}
      {resendLimited ? (
        // Only the resend is limited here: what the limits are, when, and who can help now.
        <p className="callout" role="alert">
          {t('caseView.actions.resendLimited', resendLimited.resendLimits)}{' '}
          <Moment at={Date.parse(resendLimited.rateLimited.retryAt)} />
          {t('caseView.actions.resendLimitedAfter')}
        </p>
      ) : null}
      {answer?.kind === 'callBackDenied' ? (
        <p className="callout" role="alert">
          {t('caseView.callBack.denied')}
        </p>
      ) : null}
      {revealed ? <RevealedValue revealed={revealed} /> : null}
      <CaseRecords records={view.records} />
      <CaseStatus status={view.status} />
      <CaseActions
        csrf={csrf}
        status={view.status}
        noteError={answer?.kind === 'noteInvalid' ? answer.errors.note : undefined}
      />
      {supervisor ? (
        <CallBackForm
          csrf={csrf}
          errors={answer?.kind === 'callBackInvalid' ? answer.errors : {}}
          chosen={answer?.kind === 'callBackInvalid' ? answer.chosen : null}
        />
      ) : null}
      <RevealForm
        csrf={csrf}
        fields={view.revealable}
        errors={answer?.kind === 'invalid' ? answer.errors : {}}
      />
      <CaseTimeline events={view.events} />
      <p className="link-row">
        <Link to="/staff/cases">{t('caseView.backToSearch')}</Link>
      </p>
    </article>
  )
}
