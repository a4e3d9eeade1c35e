import { type ActionFunctionArgs, data, redirect } from '@remix-run/node'
import { languageChoiceSchema, languageCookieHeader } from '~/i18n/language.server'
import { assertSafeRequest } from '~/session/csrf.server'
import { safeRedirect } from '~/ui/safe-redirect'

/** The language switcher's form lands here; a plain GET just goes home. */
export function loader() {
  return redirect('/')
}

export async function action({ request }: ActionFunctionArgs) {
  const formData = await request.formData()
  // An expired switcher leads back to the page it was on (checked again there).
  await assertSafeRequest(request, formData, 'language', { path: String(formData.get('redirectTo') ?? '/') })
  const form = Object.fromEntries(formData)
  const choice = languageChoiceSchema.safeParse(form)
  if (!choice.success) throw data(null, { status: 400 })
  return redirect(safeRedirect(choice.data.redirectTo), {
    status: 303,
    headers: { 'Set-Cookie': await languageCookieHeader(choice.data.lng) },
  })
}

// A page component makes this a UI route, so a tampered form gets the localised error page.
export default function Language() {
  return null
}
