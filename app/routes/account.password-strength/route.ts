import type { ActionFunctionArgs } from '@remix-run/node'
import { requireMemberForPassword } from '~/accounts/member-guard.server'
import { passwordStrength } from '~/accounts/password-meter.server'
import { boundedForm, readForm } from '~/forms/bounded-form'
import { passwordField } from '~/forms/fields'
import { assertSafeRequest } from '~/session/csrf.server'
import { PERSONAL_PAGE_HEADERS } from '~/verify/check-request.server'

const strengthForm = boundedForm({ password: passwordField({ tooLong: 'tooLong' }) })

/** The live strength meter's answer (POST, so the password never lands in a URL or a log). */
export async function action({ request }: ActionFunctionArgs) {
  const form = await request.formData()
  await assertSafeRequest(request, form)
  const account = await requireMemberForPassword(request)
  const parsed = readForm(form, strengthForm)
  if (!parsed.success)
    return Response.json({ strength: null }, { status: 422, headers: PERSONAL_PAGE_HEADERS })
  const strength = parsed.data.password
    ? await passwordStrength({ password: parsed.data.password, account })
    : null
  return Response.json({ strength }, { headers: PERSONAL_PAGE_HEADERS })
}
