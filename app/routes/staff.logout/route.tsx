import { type ActionFunctionArgs, redirect } from '@remix-run/node'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { assertSafeRequest } from '~/session/csrf.server'
import { signOutStaff } from '~/staff/staff-sign-out.server'

/** Only a form POST signs out; a plain GET (a link, a prefetch) goes to the console, or its sign-in. */
export function loader() {
  return redirect('/staff')
}

export async function action({ request, context }: ActionFunctionArgs) {
  await assertSafeRequest(request, await request.formData(), 'page', { onExpiry: 'repost' })
  const setCookie = await signOutStaff({
    db: db(),
    request,
    clientIpIndex: auditClientIpIndex(context, portalCrypto().index),
  })
  return redirect('/staff/login', { status: 303, headers: { 'Set-Cookie': setCookie } })
}

// A page component makes this a UI route, so a refused request gets the localised error page.
export default function StaffLogout() {
  return null
}
