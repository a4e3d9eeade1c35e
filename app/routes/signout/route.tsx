import { type ActionFunctionArgs, redirect } from '@remix-run/node'
import { assertSafeRequest } from '~/session/csrf.server'
import { endSession } from '~/session/session.server'

/** Signing out changes state, so only a form POST does it; a plain GET (a link, a prefetch) just goes home. */
export function loader() {
  return redirect('/')
}

export async function action({ request }: ActionFunctionArgs) {
  // Otherwise another site could sign a visitor out mid-check. A form that outlived its
  // token is sent again from the page saying so: it has nothing to type.
  await assertSafeRequest(request, await request.formData(), 'page', { onExpiry: 'repost' })
  // A page that says it is done, not the notice as if nothing happened.
  return redirect('/signout/done', { status: 303, headers: { 'Set-Cookie': await endSession(request) } })
}

// A page component makes this a UI route, so a refused request gets the localised error page.
export default function SignOut() {
  return null
}
