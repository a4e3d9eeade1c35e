import { randomInt, timingSafeEqual } from 'node:crypto'
import type { Language } from '~/i18n/config'
import { queueEmailMessage } from '~/mail/queue-email.server'
import { EMAIL_CODE_LIFETIME_FAILURES } from '~/verify/email-code.server'
import type { BlindIndexer } from '~db/blind-index'
import { type PortalDatabase, withTransaction } from '~db/database'
import { confirmPendingEmail, dropPendingEmail } from '~db/member-account-updates'
import type { MemberAccount } from '~db/member-accounts'
import { normaliseEmail } from '~db/normalise'
import { indexerFor, type PortalCrypto } from '~db/portal-crypto'
import {
  deleteEmailChallenge,
  findEmailChallenge,
  recordEmailChallengeFailure,
  rekeyEmailChallenge,
  replaceEmailChallenge,
  withdrawEmailChallenge,
} from '~db/verification'

/**
 * A member's new e-mail address proves itself with a 6-digit code before it
 * replaces the old one; the old address is then told. Codes live 10 minutes,
 * are used once and die after 5 wrong tries, as in the identity check.
 */

const CODE_TTL_MS = 10 * 60 * 1000
const MAX_FAILURES = 5

type Context = { db: PortalDatabase; crypto: PortalCrypto; now?: number }

/** The member's challenge is found by its target's digests under the current index key and the previous one. */
const targetsOf = (crypto: PortalCrypto, subjectId: number) =>
  crypto.lookup('email-change', String(subjectId))
/** Made over the digest the challenge is stored under, with that digest's index key. */
const codeHash = (index: BlindIndexer, target: Buffer, code: string) =>
  index('email-code', `${target.toString('hex')}:${code}`)

/** Sends a new code to the address waiting in `account` (its own 5 tries; the lifetime cap carries over). */
export async function sendEmailChangeCode(
  { db, crypto, now = Date.now() }: Context,
  { account, language, portalAddress }: { account: MemberAccount; language: Language; portalAddress: string },
) {
  const to = account.pendingEmail
  if (!to) return
  const targets = targetsOf(crypto, account.subjectId)
  // A new code is stored under the current index key's digest.
  const [target] = targets
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0')
  await withTransaction(db, async (tx) => {
    const held = await findEmailChallenge(tx, targets, 'email-change')
    if (held) await rekeyEmailChallenge(tx, { type: 'email-change', from: held.targetIndex, to: target })
    await replaceEmailChallenge(tx, {
      type: 'email-change',
      targetIndex: target,
      codeHash: codeHash(crypto.index, target, code),
      expiresAt: now + CODE_TTL_MS,
      now,
    })
    await queueEmailMessage({
      db: tx,
      crypto,
      humanId: account.humanId,
      purpose: 'email_code',
      to,
      content: (messageReference) => ({
        kind: 'email_code',
        to,
        input: { language, code, messageReference, portalAddress },
      }),
    })
  })
}

/**
 * The typed code against the one sent. Right: the new address replaces the
 * old, and the old address hears of it. Wrong: one failure more.
 */
export async function confirmEmailChange(
  { db, crypto, now = Date.now() }: Context,
  {
    account,
    code,
    language,
    portalAddress,
  }: { account: MemberAccount; code: string; language: Language; portalAddress: string },
): Promise<boolean> {
  const targets = targetsOf(crypto, account.subjectId)
  const challenge = await findEmailChallenge(db, targets, 'email-change')
  // A code sent before the portal restarted with a new index key was hashed under the previous one.
  const target = challenge?.targetIndex ?? targets[0]
  const typed = codeHash(indexerFor(crypto, targets, challenge?.targetIndex), target, code)
  const matches = challenge ? timingSafeEqual(challenge.codeHash, typed) : false
  const usable =
    challenge !== undefined &&
    challenge.expiresAt > now &&
    challenge.failures < MAX_FAILURES &&
    challenge.consecutiveFailures < EMAIL_CODE_LIFETIME_FAILURES
  const newEmail = account.pendingEmail && normaliseEmail(account.pendingEmail)
  if (!matches || !usable || !newEmail) {
    if (challenge) await recordEmailChallengeFailure(db, target, 'email-change')
    return false
  }
  const oldAddress = account.details.email
  await withTransaction(db, async (tx) => {
    await deleteEmailChallenge(tx, target, 'email-change')
    await confirmPendingEmail(tx, crypto.keyring, {
      subjectId: account.subjectId,
      emailIndex: crypto.index('email', newEmail),
      now,
    })
    if (oldAddress) {
      await queueEmailMessage({
        db: tx,
        crypto,
        humanId: account.humanId,
        purpose: 'account_notice',
        to: oldAddress,
        content: (messageReference) => ({
          kind: 'account_notice',
          to: oldAddress,
          input: {
            language,
            notice: 'emailChanged',
            at: new Date(now).toISOString(),
            messageReference,
            portalAddress,
          },
        }),
      })
    }
  })
  return true
}

/** "Keep my old address": the waiting one and its code are dropped. */
export async function cancelEmailChange({ db, crypto, now = Date.now() }: Context, account: MemberAccount) {
  await withTransaction(db, async (tx) => {
    await withdrawEmailChallenge(tx, {
      targets: targetsOf(crypto, account.subjectId),
      type: 'email-change',
      now,
    })
    await dropPendingEmail(tx, { subjectId: account.subjectId, now })
  })
}
