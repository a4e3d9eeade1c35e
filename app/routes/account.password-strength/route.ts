import type { ActionFunctionArgs } from '@remix-run/node'
import { limitAccountPost } from '~/accounts/account-limits.server'
import { requireMemberForPassword } from '~/accounts/member-guard.server'
import { passwordStrength } from '~/accounts/password-meter.server'
import { getConfig } from '~/config.server'
import { boundedForm, readForm } from '~/forms/bounded-form'
import { passwordField } from '~/forms/fields'
import { PERSONAL_PAGE_HEADERS } from '~/security/personal-page.server'
import { assertSafeRequest } from '~/session/csrf.server'

const strengthForm = boundedForm({ password: passwordField({ tooLong: 'tooLong' }) })

/** The live strength meter's answer (POST, so the password never lands in a URL or a log). */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData()
  await assertSafeRequest(request, form)
  const account = await requireMemberForPassword(request)
  const parsed = readForm(form, strengthForm)
  if (!parsed.success)
    return Response.json({ strength: null }, { status: 422, headers: PERSONAL_PAGE_HEADERS })
  if (!parsed.data.password) return Response.json({ strength: null }, { headers: PERSONAL_PAGE_HEADERS })
  const limit = await limitAccountPost(context, { post: 'strength', account })
  if (limit.limited) {
    // The meter pauses until then and says so; saving still judges the password in full.
    return Response.json(
      { strength: null, rateLimited: { retryAt: limit.retryAt.toISOString() } },
      {
        status: 429,
        headers: { ...PERSONAL_PAGE_HEADERS, 'Retry-After': String(limit.retryAfterSeconds) },
      },
    )
  }
  const strength = await passwordStrength({ password: parsed.data.password, account, config: getConfig() })
  return Response.json({ strength }, { headers: PERSONAL_PAGE_HEADERS })
}
