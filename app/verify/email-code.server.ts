import { randomInt, timingSafeEqual } from 'node:crypto'
import type { Language } from '~/i18n/config'
import { queueEmailMessage } from '~/mail/queue-email.server'
import type { PortalDatabase } from '~db/client'
import type { PortalCrypto } from '~db/portal-crypto'
import { findHumanIdByEmail } from '~db/subjects'
import {
  deleteEmailChallenge,
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
 */

export const EMAIL_CODE_TTL_MS = 10 * 60 * 1000
export const EMAIL_CODE_MAX_FAILURES = 5
/** Failures count within this long of the first code; a new code inside it never resets them. */
const FAILURE_SERIES_MS = 60 * 60 * 1000

export type EmailCodeContext = { db: PortalDatabase; crypto: PortalCrypto; now?: number }

/** What the visitor's session remembers between the two pages: a keyed hash, never the address. */
export type EmailChallengeRef = { type: 'email'; target: string }

export function emailTarget(crypto: PortalCrypto, normalisedEmail: string): EmailChallengeRef {
  return { type: 'email', target: crypto.index('email', normalisedEmail).toString('hex') }
}

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
  db.$client
    .transaction(() => {
      replaceEmailChallenge(db, {
        targetIndex,
        codeHash: codeHash(crypto, ref, code),
        expiresAt: now + EMAIL_CODE_TTL_MS,
        now,
        resetFailuresBefore: now - FAILURE_SERIES_MS,
      })
      if (humanId === undefined) return
      queueEmailMessage({
        db,
        crypto,
        humanId,
        purpose: 'email_code',
        to: displayEmail,
        content: (messageReference) => ({
          kind: 'email_code',
          to: displayEmail,
          input: { language, code, messageReference, portalAddress },
        }),
      })
    })
    .immediate()
  return ref
}

export type EmailCodeCheck = { ok: true; humanId: number } | { ok: false }

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
  const usable =
    challenge !== undefined && challenge.expiresAt > now && challenge.failures < EMAIL_CODE_MAX_FAILURES
  if (matches && usable && humanId !== undefined) {
    deleteEmailChallenge(db, targetIndex)
    return { ok: true, humanId }
  }
  if (challenge) recordEmailChallengeFailure(db, targetIndex)
  return { ok: false }
}

function codeHash(crypto: PortalCrypto, ref: EmailChallengeRef, code: string) {
  return crypto.index('email-code', `${ref.target}:${code}`)
}
