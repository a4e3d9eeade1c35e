import type { LookupDigests } from './blind-index'
import { type PortalDatabase, prepared } from './database'
import type { VerificationChallenge } from './schema'

/**
 * One-time codes sent by e-mail, one row per address (found by its keyed
 * hash). A new code replaces the old one in place: its own wrong tries start
 * at 0, while the wrong tries in a row against the address (across codes)
 * survive it until a right code ends the row. A row is kept for addresses
 * nobody holds too, so both kinds cost the database the same.
 *
 * A row is found by the target's digests under the current index key and the
 * previous one, so a code asked for before the portal restarted with a new
 * index key can still be answered; what is done to a row found is done by the
 * digest it is stored under (`targetIndex`).
 */

/**
 * `failures`: wrong codes against this code; `consecutiveFailures`: wrong
 * codes since the address last proved itself, across codes; `targetIndex`:
 * the digest the row is stored under, which says the index key its code's
 * hash was made under. Not the schema's row type alone: the hand-written
 * select returns times as epoch milliseconds, where drizzle's `timestamp_ms`
 * columns would give Dates.
 */
export type EmailChallenge = Pick<
  VerificationChallenge,
  'targetIndex' | 'codeHash' | 'failures' | 'consecutiveFailures'
> & {
  expiresAt: number
  createdAt: number
}

type FailureCounts = Pick<VerificationChallenge, 'failures' | 'consecutiveFailures'>

/**
 * What the code proves: an address for the identity check, a member's new
 * address, the contact address of a return request, or the address a return
 * request's status is asked for with.
 */
export type ChallengeType = 'email-code' | 'email-change' | 'return-code' | 'return-status'

/**
 * The challenge of a target, by its digests under the current index key and
 * the previous one; should both have a row, the current key's.
 */
export async function findEmailChallenge(
  db: PortalDatabase,
  targets: LookupDigests,
  type: ChallengeType = 'email-code',
): Promise<EmailChallenge | undefined> {
  const [current, previous] = targets
  return prepared<EmailChallenge>(
    db,
    `
      select target_index as "targetIndex", code_hash as "codeHash", failures,
             consecutive_failures as "consecutiveFailures", expires_at as "expiresAt", created_at as "createdAt"
      from verification_challenges where type = ? and target_index in (?, ?)
      order by case when target_index = ? then 0 else 1 end limit 1`,
  ).get(type, current, previous, current)
}

/**
 * A challenge stored under the previous index key's digest moves to the
 * current one's before a new code replaces it: the wrong tries in a row
 * across codes go with it, so a new index key never resets the lifetime cap,
 * and no row is left behind under a key that is going away. Nothing happens
 * when the row is under the current key already.
 */
export async function rekeyEmailChallenge(
  db: PortalDatabase,
  { type, from, to }: { type: ChallengeType; from: Buffer; to: Buffer },
) {
  if (from.equals(to)) return
  await prepared(
    db,
    'update verification_challenges set target_index = ? where type = ? and target_index = ?',
  ).send(to, type, from)
}

/**
 * Stores a new code for the address with a fresh count of wrong tries; the
 * count in a row across codes carries over (how many codes may be asked for
 * is the rate limits' business).
 */
export async function replaceEmailChallenge(
  db: PortalDatabase,
  {
    targetIndex,
    codeHash,
    expiresAt,
    now,
    type = 'email-code',
  }: { targetIndex: Buffer; codeHash: Buffer; expiresAt: number; now: number; type?: ChallengeType },
) {
  await prepared(
    db,
    `
      insert into verification_challenges (type, target_index, code_hash, failures, expires_at, created_at)
      values (?, ?, ?, 0, ?, ?)
      on conflict (type, target_index) do update set
        code_hash = excluded.code_hash,
        expires_at = excluded.expires_at,
        failures = 0,
        created_at = excluded.created_at`,
  ).send(type, targetIndex, codeHash, expiresAt, now)
}

/** One wrong code more, against the code and in the row (by its stored digest); returns both counts after it. */
export async function recordEmailChallengeFailure(
  db: PortalDatabase,
  targetIndex: Buffer,
  type: ChallengeType = 'email-code',
): Promise<FailureCounts | undefined> {
  return prepared<FailureCounts>(
    db,
    `
      update verification_challenges
      set failures = failures + 1, consecutive_failures = consecutive_failures + 1
      where type = ? and target_index = ?
      returning failures, consecutive_failures as "consecutiveFailures"`,
  ).get(type, targetIndex)
}

/**
 * Withdrawn (a member keeps their old address): the code can no longer be
 * used, but the row stays while it still counts toward the lifetime cap, so
 * withdrawing and asking again never buys fresh tries. Housekeeping removes it.
 * By the target's digests under the current index key and the previous one.
 */
export async function withdrawEmailChallenge(
  db: PortalDatabase,
  { targets, type, now }: { targets: LookupDigests; type: ChallengeType; now: number },
) {
  // `case`, not SQLite's two-argument min() (PostgreSQL's is least()): the earlier of the two moments.
  await prepared(
    db,
    `
      update verification_challenges set expires_at = case when expires_at < ? then expires_at else ? end
      where type = ? and target_index in (?, ?)`,
  ).run(now, now, type, ...targets)
}

/** Used: gone (by its stored digest), so the code cannot be used again. */
export async function deleteEmailChallenge(
  db: PortalDatabase,
  targetIndex: Buffer,
  type: ChallengeType = 'email-code',
) {
  await prepared(db, 'delete from verification_challenges where type = ? and target_index = ?').run(
    type,
    targetIndex,
  )
}

/**
 * Housekeeping: expired codes whose address has no wrong tries in a row to
 * remember. Rows that still count toward the lifetime cap stay, expired or
 * not, or deleting them would reset it.
 */
export async function deleteExpiredChallenges(db: PortalDatabase, now: number): Promise<number> {
  const deleted = await prepared(
    db,
    'delete from verification_challenges where expires_at <= ? and consecutive_failures = 0',
  ).run(now)
  return deleted.changes
}
