import { randomInt, timingSafeEqual } from 'node:crypto'
import type { Language } from '~/i18n/config'
import { queueReturnEmail } from '~/mail/queue-email.server'
import { limitCodesToAddress } from '~/security/rate-limit.server'
import {
  EMAIL_CODE_LIFETIME_FAILURES,
  EMAIL_CODE_MAX_FAILURES,
  EMAIL_CODE_TTL_MS,
  type EmailCodeState,
  emailCodeStateOf,
} from '~/verify/email-code.server'
import type { Refused } from '~/verify/email-code-request.server'
import type { BlindIndexer, LookupDigests } from '~db/blind-index'
import type { PortalDatabase } from '~db/database'
import { indexerFor, type PortalCrypto } from '~db/portal-crypto'
import {
  deleteEmailChallenge,
  findEmailChallenge,
  recordEmailChallengeFailure,
  rekeyEmailChallenge,
  replaceEmailChallenge,
} from '~db/verification'

/**
 * The code that proves a return request's contact address, to file it or to
 * see its status: the e-mail check's machinery (6 digits, 10 minutes, 5 wrong
 * tries a code, 100 in a row for life) and its per-address limits, which both
 * share. A return needs no one in the data, so every address gets its code
 * and the answer says nothing about who is known.
 */

export type ReturnCodePurpose = 'return-code' | 'return-status'

export type ReturnCodeContext = { db: PortalDatabase; crypto: PortalCrypto; now: number }

/**
 * The address's e-mail index, what the challenge, the request and the
 * subjects' records share: its digests under the current index key and the
 * previous one, as they are found by (the first is the one new rows store).
 */
export function returnEmailDigests(crypto: PortalCrypto, normalisedEmail: string): LookupDigests {
  return crypto.lookup('email', normalisedEmail)
}

/**
 * Sends a new code unless the per-address limits refuse (then nothing is
 * sent), or codes are closed for the address (nothing sent; the code page
 * says so). Call inside the transaction that records what the code is for.
 */
export async function sendReturnCode(
  { db, crypto, now }: ReturnCodeContext,
  {
    purpose,
    email,
    displayEmail,
    language,
    portalAddress,
  }: {
    purpose: ReturnCodePurpose
    email: string
    displayEmail: string
    language: Language
    portalAddress: string
  },
): Promise<{ limited: false } | Refused> {
  const limited = await limitCodesToAddress(db, crypto, email, now)
  if (limited.limited) return limited
  const targets = returnEmailDigests(crypto, email)
  const held = await findEmailChallenge(db, targets, purpose)
  if (emailCodeStateOf(held, now) === 'closed') return { limited: false }
  // A new code is stored under the current index key's digest.
  const [targetIndex] = targets
  if (held) await rekeyEmailChallenge(db, { type: purpose, from: held.targetIndex, to: targetIndex })
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  await replaceEmailChallenge(db, {
    type: purpose,
    targetIndex,
    codeHash: codeHash(crypto.index, purpose, targetIndex, code),
    expiresAt: now + EMAIL_CODE_TTL_MS,
    now,
  })
  await queueReturnEmail({
    db,
    crypto,
    content: {
      kind: 'return_code',
      to: displayEmail,
      input: { language, code, purpose: purpose === 'return-code' ? 'file' : 'status', portalAddress },
    },
  })
  return { limited: false }
}

export type ReturnCodeCheck = { ok: true } | { ok: false; reason: 'wrong' | Exclude<EmailCodeState, 'live'> }

/** Checks a typed code against the address's; a right one is used up, a wrong one counted. */
export async function checkReturnCode(
  { db, crypto, now }: ReturnCodeContext,
  {
    purpose,
    emailDigests,
    typedCode,
  }: { purpose: ReturnCodePurpose; emailDigests: LookupDigests; typedCode: string },
): Promise<ReturnCodeCheck> {
  const challenge = await findEmailChallenge(db, emailDigests, purpose)
  // Hashed as the code was: over the digest the row is stored under, with that digest's index key
  // (the previous one for a code sent before the portal restarted with a new key). One hash either way.
  const targetIndex = challenge?.targetIndex ?? emailDigests[0]
  const typedHash = codeHash(
    indexerFor(crypto, emailDigests, challenge?.targetIndex),
    purpose,
    targetIndex,
    typedCode,
  )
  const state = emailCodeStateOf(challenge, now)
  // A dead code is not tried, so typing at it costs the address nothing.
  if (!challenge || state !== 'live') return { ok: false, reason: state === 'live' ? 'expired' : state }
  if (timingSafeEqual(challenge.codeHash, typedHash)) {
    await deleteEmailChallenge(db, targetIndex, purpose)
    return { ok: true }
  }
  const counts = await recordEmailChallengeFailure(db, targetIndex, purpose)
  if (counts && counts.consecutiveFailures >= EMAIL_CODE_LIFETIME_FAILURES)
    return { ok: false, reason: 'closed' }
  if (counts && counts.failures >= EMAIL_CODE_MAX_FAILURES) return { ok: false, reason: 'spent' }
  return { ok: false, reason: 'wrong' }
}

/** Where the address's code stands, for the code page to say. */
export async function returnCodeState(
  { db, now }: Pick<ReturnCodeContext, 'db' | 'now'>,
  { purpose, emailDigests }: { purpose: ReturnCodePurpose; emailDigests: LookupDigests },
): Promise<EmailCodeState> {
  return emailCodeStateOf(await findEmailChallenge(db, emailDigests, purpose), now)
}

function codeHash(index: BlindIndexer, purpose: ReturnCodePurpose, targetIndex: Buffer, code: string) {
  return index('email-code', `${purpose}:${targetIndex.toString('hex')}:${code}`)
}
