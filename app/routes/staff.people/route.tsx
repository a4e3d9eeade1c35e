import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs } from '@remix-run/node'
import { Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { readForm } from '~/forms/bounded-form'
import { requestLanguage } from '~/i18n/i18next.server'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { readGuardedPost } from '~/security/form-post.server'
import {
  PERSONAL_PAGE_HEADERS,
  personalFormToken,
  personalPageHeaders,
} from '~/security/personal-page.server'
import { hitLimit, limits } from '~/security/rate-limit.server'
import { tooManyRequests } from '~/security/too-many-requests.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { addPerson, changePerson, listPeople, personToChange } from '~/staff/staff-people.server'
import { requireStaff } from '~/staff/staff-session.server'
import { requireRecentSecondFactor } from '~/staff/staff-step-up.server'
import peopleStyles from '~/styles/staff-people.css'
import { pageMeta } from '~/ui/page-meta'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { NewMemberForm } from './new-member-form'
import { changeForm, intentForm, type NewMemberField, newMemberForm } from './people-forms.server'
import { ConfirmChange, CreatedMember, type PeopleResult, ResultNotice, ViewHeading } from './people-results'
import { PeopleTable } from './people-table'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

// The list's table-or-cards layout is this page's alone: kept out of the shared stylesheet.
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: peopleStyles }]

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireStaff(request, { role: 'supervisor' })
  const { token, headers } = await personalFormToken(request)
  const people = await listPeople({
    db: db(),
    crypto: portalCrypto(),
    supervisorId: session.staffId,
    language: await requestLanguage(request),
  })
  return data({ meta: await getSubPageMeta(request, 'staff', 'people'), csrf: token, people }, { headers })
}

const answer = (result: PeopleResult, status = 200) =>
  data(result, { status, headers: PERSONAL_PAGE_HEADERS })

/** What was typed into the new member's form, to put back into it (bounded: the fields' own limits). */
function typed(form: FormData): Record<NewMemberField, string> {
  const value = (name: NewMemberField) => {
    const given = form.get(name)
    return typeof given === 'string' ? given.slice(0, newMemberForm.fields[name].max) : ''
  }
  return { email: value('email'), name: value('name'), role: value('role') }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireStaff(request, { role: 'supervisor' })
  requireRecentSecondFactor(request, session)
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const intent = readForm(post.form, intentForm)
  if (!intent.success) return answer({ kind: 'refused', reason: 'badRequest' }, 400)
  const who = { db: db(), crypto: portalCrypto(), supervisorId: session.staffId }

  if (intent.data.intent === 'create') {
    const values = typed(post.form)
    const parsed = readForm(post.form, newMemberForm)
    if (!parsed.success) {
      const errors: Partial<Record<NewMemberField, string>> = {}
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as NewMemberField
        errors[field] ??= issue.message
      }
      return answer({ kind: 'invalid', errors, values }, 422)
    }
    // Each creation hashes a password with argon2id, taken or not: bounded per supervisor.
    const limit = await hitLimit(
      db(),
      who.crypto,
      limits.staffCreationsPerSupervisor,
      `staff:${session.staffId}`,
    )
    if (limit.limited) return tooManyRequests(limit, { kind: 'invalid' as const, errors: {}, values })
    const added = await addPerson({ ...who, ...parsed.data, language: await requestLanguage(request) })
    if (!added.ok) return answer({ kind: 'invalid', errors: { email: 'emailTaken' }, values }, 422)
    return answer({ kind: 'created', created: added.created })
  }

  const change = intent.data.intent
  const parsed = readForm(post.form, changeForm)
  if (!parsed.success) return answer({ kind: 'refused', reason: 'badRequest' }, 400)
  const { staffId, confirmed } = parsed.data
  const refused = (reason: 'self' | 'unknown' | 'noPasskey') =>
    answer({ kind: 'refused', reason }, { self: 403, unknown: 404, noPasskey: 422 }[reason])
  // The row's button asks first; only the confirmation's button changes anything.
  if (!confirmed) {
    const found = await personToChange({ ...who, staffId, change })
    return found.ok ? answer({ kind: 'confirm', change, person: found.person }) : refused(found.reason)
  }
  const changed = await changePerson({ ...who, staffId, change })
  if (!changed.ok) return refused(changed.reason)
  return answer({ kind: 'done', change, outcome: changed.outcome, name: changed.person.name })
}

export default function StaffPeoplePage() {
  const { t } = useTranslation('staff')
  const { csrf, people } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const outcome = result && 'kind' in result ? result : undefined
  if (outcome?.kind === 'created') return <CreatedMember created={outcome.created} />
  if (outcome?.kind === 'confirm')
    return <ConfirmChange csrf={csrf} change={outcome.change} person={outcome.person} />
  const invalid = outcome?.kind === 'invalid' ? outcome : undefined
  return (
    <article className="prose people">
      {/* After a change the list replaces the confirmation: its heading takes the focus the button had. */}
      {outcome ? <ViewHeading>{t('people.heading')}</ViewHeading> : <h1>{t('people.heading')}</h1>}
      <p>{t('people.intro')}</p>
      {result && 'rateLimited' in result ? <RateLimitedNotice retryAt={result.rateLimited.retryAt} /> : null}
      {outcome ? <ResultNotice result={outcome} /> : null}
      <h2>{t('people.listHeading')}</h2>
      <PeopleTable people={people} csrf={csrf} />
      <NewMemberForm csrf={csrf} values={invalid?.values} errors={invalid?.errors ?? {}} />
      <p className="link-row">
        <Link to="/staff">{t('people.back')}</Link>
      </p>
    </article>
  )
}
