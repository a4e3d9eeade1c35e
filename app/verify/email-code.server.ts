import { randomInt, timingSafeEqual } from 'node:crypto'
import type { Language } from '~/i18n/config'
import { queueEmailMessage, queueReplyToUnknownAddress } from '~/mail/queue-email.server'
import type { BlindIndexer, LookupDigests } from '~db/blind-index'
import { type PortalDatabase, tentatively, withTransaction } from '~db/database'
import { indexerFor, type PortalCrypto } from '~db/portal-crypto'
import { findEmailHolderAndStandIn, findHumanIdByEmail } from '~db/subjects'
import {
  deleteEmailChallenge,
  type EmailChallenge,
  findEmailChallenge,
  recordEmailChallengeFailure,
  rekeyEmailChallenge,
  replaceEmailChallenge,
} from '~db/verification'

/**
 * Proof by e-mail: a 6-digit code sent to the address if, and only if, someone
 * in the data holds it; any other address is told it is not affected (unless
 * NOTIFY_UNKNOWN_ADDRESSES is off). Every branch does the same work (a challenge row is
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

/**
 * The challenge a code is typed at: the session's ref and, when the session
 * still holds it, the address (normalised) the code was asked for.
 */
export type EmailCodeTarget = EmailChallengeRef & { email?: string }

/**
 * What a challenge and its human are found by. From the address when the
 * session still holds it: its digests under the current index key and the
 * previous one, so a code asked for before the portal restarted with a new
 * index key is still found, and so is its human, whose digest a rotation may
 * have recomputed since. Without the address, the session's digest alone.
 */
function targetDigests(crypto: PortalCrypto, target: EmailCodeTarget): LookupDigests {
  if (target.email !== undefined) return crypto.lookup('email', target.email)
  const digest = Buffer.from(target.target, 'hex')
  return [digest, digest]
}

/**
 * Where an address's code stands: `live` (it can be tried), `spent` (its wrong
 * tries are used up), `expired` (too old, or none), `closed` (the lifetime cap).
 */
export type EmailCodeState = 'live' | 'spent' | 'expired' | 'closed'

export function emailCodeStateOf(challenge: EmailChallenge | undefined, now: number): EmailCodeState {
  if (!challenge) return 'expired'
  if (challenge.consecutiveFailures >= EMAIL_CODE_LIFETIME_FAILURES) return 'closed'
  if (challenge.failures >= EMAIL_CODE_MAX_FAILURES) return 'spent'
  return challenge.expiresAt > now ? 'live' : 'expired'
}

/** The state of the code the visitor's session waits on, for the code page to show. */
export async function emailCodeState(
  { db, crypto, now = Date.now() }: EmailCodeContext,
  target: EmailCodeTarget,
): Promise<EmailCodeState> {
  return emailCodeStateOf(await findEmailChallenge(db, targetDigests(crypto, target)), now)
}

/**
 * Sends a new code, unless e-mail codes are closed for the address (then
 * nothing is written or sent, known or not: the code page says so). An
 * address nobody holds gets a code row all the same, and, with
 * `notifyUnknown`, a short "not affected" mail instead of a code. Returns
 * what the session keeps.
 */
export async function requestEmailCode(
  { db, crypto, now = Date.now() }: EmailCodeContext,
  {
    email,
    displayEmail,
    language,
    portalAddress,
    notifyUnknown,
  }: {
    email: string
    displayEmail: string
    language: Language
    portalAddress: string
    notifyUnknown: boolean
  },
): Promise<EmailChallengeRef> {
  const targets = crypto.lookup('email', email)
  // A new code is stored under the current index key's digest, which the session keeps.
  const [targetIndex] = targets
  const ref: EmailChallengeRef = { type: 'email', target: targetIndex.toString('hex') }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  // standIn: whose name the undone mail of an unknown address goes under; looked up for both alike.
  const { humanId, standIn } = await findEmailHolderAndStandIn(db, targets)
  // A turn among requests for this address only (its digests under both index keys, as a node
  // still on the previous key has them): its e-mail-code row is read and then written nowhere else (a
  // typed code changes it in single statements), and the rest is rows of its own, so on PostgreSQL codes for other addresses are written side by side.
  await withTransaction(
    db,
    async (tx) => {
      const held = await findEmailChallenge(tx, targets)
      if (emailCodeStateOf(held, now) === 'closed') return
      if (held) await rekeyEmailChallenge(tx, { type: 'email-code', from: held.targetIndex, to: targetIndex })
      await replaceEmailChallenge(tx, {
        targetIndex,
        codeHash: codeHash(crypto.index, targetIndex, code),
        expiresAt: now + EMAIL_CODE_TTL_MS,
        now,
      })
      // Both mails are written for every address, each in a savepoint that is kept only for the
      // address it is for (the code for a known address, the "not affected" answer for an unknown
      // one when NOTIFY_UNKNOWN_ADDRESSES is on) and undone otherwise: both branches make the same
      // writes (reference, seals, message and outbox rows), so their timing tells nothing.
      const mailTo = humanId ?? standIn
      if (mailTo !== undefined)
        await tentatively(tx, { keep: humanId !== undefined }, async (savepoint) =>
          queueEmailMessage({
            db: savepoint,
            crypto,
            humanId: mailTo,
            purpose: 'email_code',
            to: displayEmail,
            content: (messageReference) => ({
              kind: 'email_code',
              to: displayEmail,
              input: { language, code, messageReference, portalAddress },
            }),
          }),
        )
      if (notifyUnknown)
        await tentatively(tx, { keep: humanId === undefined }, async (savepoint) =>
          // No one's message: the address lives only in the sealed outbox content, dropped once sent.
          queueReplyToUnknownAddress({
            db: savepoint,
            crypto,
            content: { kind: 'not_affected', to: displayEmail, input: { language, portalAddress } },
          }),
        )
    },
    { turnOf: targets },
  )
  return ref
}

/** A refusal says why: a wrong code, or the state it found or left the code in. */
export type EmailCodeCheck =
  | { ok: true; humanId: number }
  | { ok: false; reason: 'wrong' | Exclude<EmailCodeState, 'live'> }

export async function checkEmailCode(
  { db, crypto, now = Date.now() }: EmailCodeContext,
  target: EmailCodeTarget,
  typedCode: string,
): Promise<EmailCodeCheck> {
  const targets = targetDigests(crypto, target)
  const challenge = await findEmailChallenge(db, targets)
  const humanId = await findHumanIdByEmail(db, targets)
  // The code's hash was made over the digest the row is stored under, with that digest's index key
  // (the previous one for a code asked for before the portal restarted with a new key): made again
  // so here. One hash whichever key, and one under the current key when there is no row.
  const targetIndex = challenge?.targetIndex ?? targets[0]
  // Without the address, the session's digest does not say which key made it: both are tried.
  const indexers =
    target.email === undefined && crypto.previousIndex
      ? [crypto.index, crypto.previousIndex]
      : [indexerFor(crypto, targets, challenge?.targetIndex)]
  const matches = indexers
    .map((indexer) => {
      const typedHash = codeHash(indexer, targetIndex, typedCode)
      return timingSafeEqual(challenge?.codeHash ?? typedHash, typedHash)
    })
    .includes(true)
  const state = emailCodeStateOf(challenge, now)
  // A dead code is not tried, so typing at it costs the address nothing.
  if (state !== 'live') return { ok: false, reason: state }
  if (matches && humanId !== undefined) {
    await deleteEmailChallenge(db, targetIndex)
    return { ok: true, humanId }
  }
  const counts = await recordEmailChallengeFailure(db, targetIndex)
  if (counts && counts.consecutiveFailures >= EMAIL_CODE_LIFETIME_FAILURES)
    return { ok: false, reason: 'closed' }
  if (counts && counts.failures >= EMAIL_CODE_MAX_FAILURES) return { ok: false, reason: 'spent' }
  return { ok: false, reason: 'wrong' }
}

function codeHash(index: BlindIndexer, targetIndex: Buffer, code: string) {
  return index('email-code', `${targetIndex.toString('hex')}:${code}`)
}
