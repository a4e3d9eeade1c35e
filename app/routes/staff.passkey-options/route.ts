import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { boundedForm, choiceField, readForm } from '~/forms/bounded-form'
import { readGuardedPost } from '~/security/form-post.server'
import { passkeyRegistrationOptions } from '~/staff/passkey-registration.server'
import { relyingParty } from '~/staff/passkey-relying-party.server'
import { passkeySignInOptions } from '~/staff/passkey-sign-in.server'
import { requireStaff } from '~/staff/staff-session.server'
import { hasRecentSecondFactor } from '~/staff/staff-step-up.server'

/**
 * The options a passkey ceremony starts from, for the page's script: a POST
 * (it holds a new challenge on the session) with the form token. Signing in
 * needs the password step done; registering needs a whole session with a
 * second factor in the last five minutes, as the passkeys page itself does.
 */

const NO_STORE = { 'Cache-Control': 'no-store' }

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaff(request, { allowPasswordOnly: true })
  throw redirect('/staff')
}

const optionsForm = boundedForm({ ceremony: choiceField(['register', 'sign-in'], { invalid: 'invalid' }) })

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireStaff(request, { allowPasswordOnly: true })
  const post = await readGuardedPost(request, context)
  if (post.refused) return post.response
  const parsed = readForm(post.form, optionsForm)
  if (!parsed.success) return Response.json({ error: 'invalid' }, { status: 400, headers: NO_STORE })
  const party = relyingParty(request)
  if (!party) return Response.json({ error: 'unavailable' }, { status: 422, headers: NO_STORE })
  const context_ = { db: db(), crypto: portalCrypto(), session, party }
  if (parsed.data.ceremony === 'register') {
    if (session.factor === 'password' || !hasRecentSecondFactor(session)) {
      return Response.json({ error: 'step-up' }, { status: 403, headers: NO_STORE })
    }
    return Response.json(await passkeyRegistrationOptions(context_), { headers: NO_STORE })
  }
  const options = await passkeySignInOptions(context_)
  if (!options) return Response.json({ error: 'none' }, { status: 422, headers: NO_STORE })
  return Response.json(options, { headers: NO_STORE })
}
