import type { Language } from '~/i18n/config'
import { checkLimit, type LimitCheck, limitCodesToAddress, limits } from '~/security/rate-limit.server'
import type { PortalDatabase } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { sealJson, unsealJson } from '~db/seal'
import {
  checkEmailCode,
  type EmailChallengeRef,
  type EmailCodeCheck,
  type EmailCodeState,
  type EmailCodeTarget,
  emailCodeState,
  requestEmailCode,
} from './email-code.server'

/**
 * Asking for an e-mail code, first or again, and what the code page can say
 * about the next one. The per-address limits (5 codes an hour, 10 a day) count
 * every request, known address or not; a refused request sends nothing. When
 * the code in hand is spent (5 wrong tries) or expired and the limits would
 * refuse the next one, the page says from when a new code can be asked for,
 * instead of offering one that would be refused.
 *
 * The session keeps the address as typed, sealed, beside its keyed hash, so
 * "send the code again" needs no retyping; it goes when the session does.
 */

export type EmailCodeRequestContext = { db: PortalDatabase; crypto: PortalCrypto; now?: number }

/** What the visitor's session keeps between the pages: the keyed hash, and the address sealed. */
export type PendingEmailCheck = EmailChallengeRef & { address?: string }

type TypedAddress = { email: string; displayEmail: string }

export type CodeRequestOptions = { language: Language; portalAddress: string; notifyUnknown: boolean }

export type Refused = Extract<LimitCheck, { limited: true }>

export type CodeRequestOutcome = { limited: false; pending: PendingEmailCheck } | Refused

export async function askForEmailCode(
  { db, crypto, now = Date.now() }: EmailCodeRequestContext,
  address: TypedAddress,
  options: CodeRequestOptions,
): Promise<CodeRequestOutcome> {
  const perAddress = await limitCodesToAddress(db, crypto, address.email, now)
  if (perAddress.limited) return perAddress
  // Closed or not, the code page comes next: it says what state the address's codes are in.
  const ref = await requestEmailCode({ db, crypto, now }, { ...address, ...options })
  return { limited: false, pending: { ...ref, address: sealAddress(crypto, ref, address) } }
}

/**
 * "Send the code again" for the address the session holds; `undefined` when
 * it holds none (a session begun before addresses were kept): type it again.
 */
export async function askForEmailCodeAgain(
  context: EmailCodeRequestContext,
  pending: PendingEmailCheck,
  options: CodeRequestOptions,
): Promise<CodeRequestOutcome | undefined> {
  const address = openAddress(context.crypto, pending)
  return address ? askForEmailCode(context, address, options) : undefined
}

/** What the address typed was, for the form to show again. */
export function typedAddressOf(crypto: PortalCrypto, pending: PendingEmailCheck): string | undefined {
  return openAddress(crypto, pending)?.displayEmail
}

/**
 * The typed code against the one the session waits on, found by the address
 * the session keeps, under the current index key or the previous one.
 */
export async function checkPendingEmailCode(
  context: EmailCodeRequestContext,
  pending: PendingEmailCheck,
  typedCode: string,
): Promise<EmailCodeCheck> {
  return checkEmailCode(context, codeTarget(pending, openAddress(context.crypto, pending)), typedCode)
}

/**
 * The code's state for the code page, and for a dead code (spent or expired)
 * whether a new one may be asked for now: if not, when (the limit's refusal).
 */
export async function codePageState(
  { db, crypto, now = Date.now() }: EmailCodeRequestContext,
  pending: PendingEmailCheck,
): Promise<{ state: EmailCodeState; wait?: Refused }> {
  const address = openAddress(crypto, pending)
  const state = await emailCodeState({ db, crypto, now }, codeTarget(pending, address))
  if (state !== 'spent' && state !== 'expired') return { state }
  if (!address) return { state }
  const wait = await nextCodeRefused(db, crypto, address.email, now)
  return wait ? { state, wait } : { state }
}

/** Whether the per-address limits would refuse the next code, without counting a request. */
async function nextCodeRefused(db: PortalDatabase, crypto: PortalCrypto, email: string, now: number) {
  for (const limit of [limits.emailCodesPerAddress, limits.emailCodesPerAddressPerDay]) {
    const check = await checkLimit(db, crypto, limit, email, now)
    if (check.limited) return check
  }
  return undefined
}

/** The challenge as the code's checks find it: by the address when the session still has it. */
function codeTarget(pending: PendingEmailCheck, address: TypedAddress | undefined): EmailCodeTarget {
  return { type: pending.type, target: pending.target, ...(address && { email: address.email }) }
}

const addressContext = (ref: EmailChallengeRef) => `sessions:email-check:${ref.target}:address`

function sealAddress(crypto: PortalCrypto, ref: EmailChallengeRef, address: TypedAddress) {
  return sealJson({ keyring: crypto.keyring, context: addressContext(ref), value: address }).toString(
    'base64url',
  )
}

function openAddress(crypto: PortalCrypto, pending: PendingEmailCheck): TypedAddress | undefined {
  if (!pending.address) return undefined
  try {
    return unsealJson<TypedAddress>({
      keyring: crypto.keyring,
      context: addressContext(pending),
      sealed: Buffer.from(pending.address, 'base64url'),
    })
  } catch {
    // Sealed under a key since retired: as if no address were kept.
    return undefined
  }
}
