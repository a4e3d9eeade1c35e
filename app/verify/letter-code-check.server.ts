import { timingSafeEqual } from 'node:crypto'
import { readLetterCode } from '~/codes/letter-code.server'
import type { PortalDatabase } from '~db/database'
import { findHuman, type HumanRecord } from '~db/humans'
import { spendIdentityConfirmation } from '~db/identity-confirmations'
import {
  findLetterCodeHolder,
  type LetterCodeHolder,
  recordLetterCodeFailure,
  recordLetterCodeUse,
} from '~db/letter-codes'
import { findMemberAccountOfHuman } from '~db/member-accounts'
import type { PortalCrypto } from '~db/portal-crypto'
import { seal, unsealJson } from '~db/seal'
import { readSecondFactor, type SecondFactor } from './second-factor'

/**
 * Proof by letter code: the code from the notice and one thing the person's
 * record holds (birth date, phone or staff ID). A typo the check symbol
 * catches is no attempt, nor is a date that names no real day (it is tried
 * against nothing, and its answer depends on what was typed alone). A right
 * pair works on every visit until the last day letter codes are valid (each
 * use recorded); a member who has set a new password since is sent to sign
 * in with it instead. A wrong second factor counts against the code, which
 * locks after LETTER_CODE_LOCK_AFTER in a row. With the second factor left
 * empty, a supervisor's call-back confirmation of the last seven days stands
 * in for it, once (spent in one statement, so two checks cannot share it);
 * without one, the second factor is asked for and nothing is counted.
 *
 * What a stranger may learn: an unknown code and a known code with a wrong
 * second factor answer alike (same page, same work). A locked code says so,
 * which tells only that this code exists, and a guesser cannot find one
 * among 2^60 codes; after the last day every well-formed code, known or not,
 * says that letter codes have expired. With the second factor empty, an
 * unknown code, a locked one and a known one without a confirmation all ask
 * for it alike, after the same lookups and the same statement.
 */

export const LETTER_CODE_LOCK_AFTER = 10

export type LetterCodeCheck =
  | { ok: true; humanId: number }
  /** A member with a new password: they sign in with it (member ID or e-mail), not with the letter. */
  | { ok: false; reason: 'sign_in_instead'; memberId: string }
  | { ok: false; reason: 'check_the_code' }
  | { ok: false; reason: 'unreadable_date' }
  | { ok: false; reason: 'no_match' }
  /** No second factor, and no call-back confirmation to stand in for it: nothing counted. */
  | { ok: false; reason: 'proof_required' }
  | { ok: false; reason: 'locked' }
  | { ok: false; reason: 'expired' }

/** The moment letter codes stop working: the end of `lastDay` (YYYY-MM-DD), Japan time. */
export function letterCodesEndAt(lastDay: string) {
  return Date.parse(`${lastDay}T00:00:00+09:00`) + 24 * 60 * 60 * 1000
}

export async function checkLetterCode(
  {
    db,
    crypto,
    now = Date.now(),
    validUntil,
  }: {
    db: PortalDatabase
    crypto: PortalCrypto
    now?: number
    /** The last day (YYYY-MM-DD, Japan time) codes work: LETTER_CODE_VALID_UNTIL. */
    validUntil: string
  },
  { code, proof }: { code: string; proof: string },
): Promise<LetterCodeCheck> {
  const typed = readLetterCode(code)
  if (!typed.ok) return { ok: false, reason: 'check_the_code' }
  // Every code ends on the same day, so saying so tells nothing of this one: no lookup.
  if (now >= letterCodesEndAt(validUntil)) return { ok: false, reason: 'expired' }
  const empty = proof.trim() === ''
  const factor = empty ? {} : readSecondFactor(proof)
  if (factor.unreadableDate) return { ok: false, reason: 'unreadable_date' }
  const holder = await findLetterCodeHolder(db, crypto.lookup('letter-code', typed.canonical))
  const records = holder ? ((await findHuman(db, crypto.keyring, holder.humanId))?.records ?? []) : []
  // An unknown code opens a record-sized stand-in, so its answer takes as long as a known one's.
  if (!holder) openStandIn(crypto)
  const usable = holder && !holder.locked ? holder : undefined
  if (empty) {
    // A call-back confirmation stands in for the second factor, once. Unknown and locked codes
    // run the same statement on no row, and every code without one gets the same answer.
    const confirmed = await spendIdentityConfirmation(db, {
      humanId: usable?.humanId ?? -1,
      now: new Date(now),
    })
    return usable && confirmed
      ? letterCodeUsed(db, crypto, usable, now)
      : { ok: false, reason: 'proof_required' }
  }
  const matches = records.some((record) => proves(record, factor))
  if (usable && matches) return letterCodeUsed(db, crypto, usable, now)
  // Unknown and locked codes run the same statement on no row: the same work, nothing counted.
  await recordLetterCodeFailure(db, usable?.notificationId ?? -1, {
    lockAfter: LETTER_CODE_LOCK_AFTER,
    now,
  })
  return { ok: false, reason: holder?.locked ? 'locked' : 'no_match' }
}

/** A right second factor, or a call-back confirmation spent: the use recorded, then in or sent to sign in. */
async function letterCodeUsed(
  db: PortalDatabase,
  crypto: PortalCrypto,
  holder: LetterCodeHolder,
  now: number,
): Promise<LetterCodeCheck> {
  await recordLetterCodeUse(db, holder.notificationId, now)
  const member = await findMemberAccountOfHuman(db, crypto.keyring, holder.humanId)
  if (member?.passwordHash) return { ok: false, reason: 'sign_in_instead', memberId: member.memberId }
  return { ok: true, humanId: holder.humanId }
}

// Only staff carry their ID on their person; a member or buyer ID is not something to prove with.
const COHORTS_PROVING_BY_ID = new Set(['warehouse_staff', 'employee'])

function proves({ cohort, record }: HumanRecord, factor: SecondFactor) {
  return (
    same(record.birthDate, factor.birthDate) ||
    same(record.phone, factor.phone) ||
    (COHORTS_PROVING_BY_ID.has(cohort) && same(record.naturalId.toUpperCase(), factor.identifier))
  )
}

function same(stored: string | undefined, typed: string | undefined) {
  if (!stored || !typed) return false
  const a = Buffer.from(stored)
  const b = Buffer.from(typed)
  return a.length === b.length && timingSafeEqual(a, b)
}

const standIns = new WeakMap<PortalCrypto, Buffer>()
const STAND_IN_CONTEXT = 'letter-code:stand-in'

function openStandIn(crypto: PortalCrypto) {
  let sealed = standIns.get(crypto)
  if (!sealed) {
    const plaintext = JSON.stringify({
      naturalId: 'M00000000',
      familyName: '見本',
      givenName: '花子',
      phone: '09000000000',
      birthDate: '1985-04-01',
    })
    sealed = seal({ keyring: crypto.keyring, context: STAND_IN_CONTEXT, plaintext })
    standIns.set(crypto, sealed)
  }
  unsealJson({ keyring: crypto.keyring, context: STAND_IN_CONTEXT, sealed })
}
