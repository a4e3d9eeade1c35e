import { randomInt, timingSafeEqual } from 'node:crypto'
import type { Language } from '~/i18n/config'
import { queueEmailMessage } from '~/mail/queue-email.server'
import { type PortalDatabase, tentatively, withTransaction } from '~db/client'
import type { PortalCrypto } from '~db/portal-crypto'
import { anyHumanId, findHumanIdByEmail } from '~db/subjects'
import {
  deleteEmailChallenge,
  type EmailChallenge,
  findEmailChallenge,
  recordEmailChallengeFailure,
  replaceEmailChallenge,
} from '~db/verification'

/**
 * Proof by e-mail: a 6-digit code sent to the address if, and only if, someone
 * in the data holds it. Every branch does the same work (a challenge row is
 * written for unknown addresses too; the typed code is hashed even when there
 * is nothing to compare it with), so neither the answer nor its timing says
 * whether the address is known.
 *
 * Wrong tries count against the code: after 5 it is spent, and a new code
 * (limited per hour and per day by the route) starts afresh, so nobody can
 * lock an owner out of a code they have not yet tried. Across codes, wrong
 * tries in a row are capped for life (NIST SP 800-63B allows at most 100):
 * after that, e-mail codes are closed for the address and only the letter
 * code or the support desk can help. A right code ends the row.
 */

export const EMAIL_CODE_TTL_MS = 10 * 60 * 1000
export const EMAIL_CODE_MAX_FAILURES = 5
export const EMAIL_CODE_LIFETIME_FAILURES = 100

export type EmailCodeContext = { db: PortalDatabase; crypto: PortalCrypto; now?: number }

/** What the visitor's session remembers between the two pages: a keyed hash, never the address. */
export type EmailChallengeRef = { type: 'email'; target: string }

export function emailTarget(crypto: PortalCrypto, normalisedEmail: string): EmailChallengeRef {
  return { type: 'email', target: crypto.index('email', normalisedEmail).toString('hex') }
}

/**
 * Where an address's code stands: `live` (it can be tried), `spent` (its wrong
 * tries are used up), `expired` (too old, or none), `closed` (the lifetime cap).
 */
export type EmailCodeState = 'live' | 'spent' | 'expired' | 'closed'

function stateOf(challenge: EmailChallenge | undefined, now: number): EmailCodeState {
  if (!challenge) return 'expired'
  if (challenge.consecutiveFailures >= EMAIL_CODE_LIFETIME_FAILURES) return 'closed'
  if (challenge.failures >= EMAIL_CODE_MAX_FAILURES) return 'spent'
  return challenge.expiresAt > now ? 'live' : 'expired'
}

/** The state of the code the visitor's session waits on, for the code page to show. */
export function emailCodeState({ db, now = Date.now() }: EmailCodeContext, ref: EmailChallengeRef) {
  return stateOf(findEmailChallenge(db, Buffer.from(ref.target, 'hex')), now)
}

/**
 * Sends a new code, unless e-mail codes are closed for the address (then
 * nothing is written or sent, known or not: the code page says so). Returns
 * what the session keeps.
 */
export function requestEmailCode(
  { db, crypto, now = Date.now() }: EmailCodeContext,
  {
    email,
    displayEmail,
    language,
    portalAddress,
  }: { email: string; displayEmail: string; language: Language; portalAddress: string },
): EmailChallengeRef {
  const ref = emailTarget(crypto, email)
  const targetIndex = Buffer.from(ref.target, 'hex')
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  const humanId = findHumanIdByEmail(db, targetIndex)
  // Whose name the undone mail of an unknown address goes under; looked up for both alike.
  const standIn = anyHumanId(db)
  withTransaction(db, (tx) => {
    if (stateOf(findEmailChallenge(tx, targetIndex), now) === 'closed') return
    replaceEmailChallenge(tx, {
      targetIndex,
      codeHash: codeHash(crypto, ref, code),
      expiresAt: now + EMAIL_CODE_TTL_MS,
      now,
    })
    const mailTo = humanId ?? standIn
    if (mailTo === undefined) return // nobody in the data at all
    const queueCode = () =>
      queueEmailMessage({
        db: tx,
        crypto,
        humanId: mailTo,
        purpose: 'email_code',
        to: displayEmail,
        content: (messageReference) => ({
          kind: 'email_code',
          to: displayEmail,
          input: { language, code, messageReference, portalAddress },
        }),
      })
    // Nobody holds an unknown address: its mail is written all the same (reference, seals,
    // message and outbox rows) and then undone, so both branches make the same writes.
    tentatively(tx, { keep: humanId !== undefined }, queueCode)
  })
  return ref
}

/** A refusal says why: a wrong code, or the state it found or left the code in. */
export type EmailCodeCheck =
  | { ok: true; humanId: number }
  | { ok: false; reason: 'wrong' | Exclude<EmailCodeState, 'live'> }

export function checkEmailCode(
  { db, crypto, now = Date.now() }: EmailCodeContext,
  ref: EmailChallengeRef,
  typedCode: string,
): EmailCodeCheck {
  const targetIndex = Buffer.from(ref.target, 'hex')
  const typedHash = codeHash(crypto, ref, typedCode)
  const challenge = findEmailChallenge(db, targetIndex)
  const humanId = findHumanIdByEmail(db, targetIndex)
  const matches = challenge
    ? timingSafeEqual(challenge.codeHash, typedHash)
    : timingSafeEqual(typedHash, typedHash)
  const state = stateOf(challenge, now)
  // A dead code is not tried, so typing at it costs the address nothing.
  if (state !== 'live') return { ok: false, reason: state }
  if (matches && humanId !== undefined) {
    deleteEmailChallenge(db, targetIndex)
    return { ok: true, humanId }
  }
  const counts = recordEmailChallengeFailure(db, targetIndex)
  if (counts && counts.consecutiveFailures >= EMAIL_CODE_LIFETIME_FAILURES)
    return { ok: false, reason: 'closed' }
  if (counts && counts.failures >= EMAIL_CODE_MAX_FAILURES) return { ok: false, reason: 'spent' }
  return { ok: false, reason: 'wrong' }
}

function codeHash(crypto: PortalCrypto, ref: EmailChallengeRef, code: string) {
  return crypto.index('email-code', `${ref.target}:${code}`)
}
