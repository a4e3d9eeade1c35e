import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { z } from 'zod'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, choiceField, readForm, textField } from '~/forms/bounded-form'
import { dateFormat } from '~/i18n/date-format'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { readGuardedPost } from '~/security/form-post.server'
import { invalid, personalFormToken, personalPageHeaders } from '~/security/personal-page.server'
import { PasskeyCeremony } from '~/staff/passkey-ceremony'
import { relyingParty } from '~/staff/passkey-relying-party.server'
import { StaffErrorBoundary } from '~/staff/staff-error-boundary'
import { PASSKEY_ANSWER_MAX, passkeyAnswerSchema } from '~/staff/staff-fields'
import { addPasskey, dropPasskey, ownPasskeys } from '~/staff/staff-passkeys-page.server'
import { requireStaff } from '~/staff/staff-session.server'
import { requireRecentSecondFactor } from '~/staff/staff-step-up.server'
import { CsrfField } from '~/ui/csrf-field'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['staff'] }

export const meta = pageMeta

export const headers = personalPageHeaders

export const ErrorBoundary = StaffErrorBoundary

/** A member's own security settings: a second factor in the last five minutes, as for any change to them. */
async function requireOwnSettings(request: Request) {
  const session = await requireStaff(request)
  requireRecentSecondFactor(request, session)
  return session
}

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireOwnSettings(request)
  const { token, headers } = await personalFormToken(request)
  return data(
    {
      meta: await getSubPageMeta(request, 'staff', 'passkeys'),
      csrf: token,
      available: relyingParty(request) !== undefined,
      ...(await ownPasskeys({ db: db(), crypto: portalCrypto(), session })),
    },
    { headers },
  )
}

const intentForm = boundedForm({ intent: choiceField(['register', 'remove'], { invalid: 'invalid' }) })
const registerForm = boundedForm({
  credential: {
    max: PASSKEY_ANSWER_MAX,
    tooLong: 'failed',
    schema: passkeyAnswerSchema({ invalid: 'failed' }),
  },
})
const removeForm = boundedForm({
  passkey: textField({ max: 12, required: 'invalid', tooLong: 'invalid' }, (text) =>
    text.regex(/^[1-9][0-9]{0,11}$/, 'invalid').transform(Number),
  ),
})

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireOwnSettings(request)
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const intent = readForm(post.form, intentForm)
  if (!intent.success) return data({ problem: 'invalid' } as const, { status: 400 })
  const common = {
    db: db(),
    crypto: portalCrypto(),
    session,
    clientIpIndex: auditClientIpIndex(context, portalCrypto().index),
  }
  if (intent.data.intent === 'register') {
    const answer = readForm(post.form, registerForm)
    if (!answer.success) return invalid({ problem: 'failed' } as const)
    const added = await addPasskey({
      ...common,
      party: relyingParty(request),
      response: answer.data.credential,
    })
    return added.ok ? data({ done: 'added' } as const) : invalid({ problem: added.reason })
  }
  const chosen = readForm(post.form, removeForm)
  if (!chosen.success) return data({ problem: 'invalid' } as const, { status: 400 })
  const removed = await dropPasskey({ ...common, passkeyId: chosen.data.passkey })
  return removed.ok ? data({ done: 'removed' } as const) : invalid({ problem: removed.reason })
}

const answerSchema = z.union([
  z.object({ done: z.enum(['added', 'removed']) }),
  z.object({ problem: z.string() }),
])

export default function StaffPasskeysPage() {
  const { t, i18n } = useTranslation('staff')
  const { csrf, available, rows, required, hasTotp } = useLoaderData<typeof loader>()
  const answer = answerSchema.safeParse(useActionData<typeof action>()).data
  const when = dateFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' })
  return (
    <article className="prose check">
      <h1>{t('passkeys.heading')}</h1>
      <p>{t('passkeys.intro')}</p>
      {required ? <p className="callout">{t('passkeys.required')}</p> : null}
      {answer && 'done' in answer ? (
        <p className="callout" role="status">
          {t(`passkeys.done.${answer.done}`)}
        </p>
      ) : null}
      {answer && 'problem' in answer ? (
        <p className="callout callout--error" role="alert">
          {t(`passkeys.problems.${answer.problem}`, { defaultValue: t('passkeys.problems.failed') })}
        </p>
      ) : null}
      <h2>{t('passkeys.listHeading')}</h2>
      {rows.length === 0 ? (
        <p>{hasTotp ? t('passkeys.noneYet') : t('passkeys.noneAtAll')}</p>
      ) : (
        <ul className="passkey-list">
          {rows.map((row) => (
            <li key={row.id}>
              <div>
                <strong>{t('passkeys.name', { number: row.number })}</strong>
                <br />
                {t('passkeys.added', { at: when.format(new Date(row.createdAt)) })}
                <br />
                {row.lastUsedAt
                  ? t('passkeys.lastUsed', { at: when.format(new Date(row.lastUsedAt)) })
                  : t('passkeys.neverUsed')}
              </div>
              <Form method="post">
                <CsrfField token={csrf} announce={false} />
                <input type="hidden" name="intent" value="remove" />
                <input type="hidden" name="passkey" value={row.id} />
                <button type="submit" className="button button--secondary">
                  {t('passkeys.remove', { number: row.number })}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
      <h2>{t('passkeys.addHeading')}</h2>
      {available ? (
        <Form method="post" className="check-form">
          <CsrfField token={csrf} />
          <input type="hidden" name="intent" value="register" />
          <p>{t('passkeys.addIntro')}</p>
          <PasskeyCeremony ceremony="register" csrf={csrf} label={t('passkeys.add')} />
        </Form>
      ) : (
        <p>{t('passkeys.unavailableHere')}</p>
      )}
      <p>
        <Link to="/staff">{t('passkeys.back')}</Link>
      </p>
    </article>
  )
}
