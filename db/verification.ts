import { type PortalDatabase, prepared } from './client'

/**
 * One-time codes sent by e-mail, one row per address (found by its keyed
 * hash). A new code replaces the old one in place, so the failures counted
 * against the address survive it; a row is kept for addresses nobody holds
 * too, so both kinds cost the database the same.
 */

export type EmailChallenge = {
  codeHash: Buffer
  failures: number
  expiresAt: number
  createdAt: number
}

/** What the code proves: an address for the identity check, or a member's new address. */
export type ChallengeType = 'email-code' | 'email-change'

export function findEmailChallenge(
  db: PortalDatabase,
  targetIndex: Buffer,
  type: ChallengeType = 'email-code',
): EmailChallenge | undefined {
  return prepared(
    db,
    `
      select code_hash as codeHash, failures, expires_at as expiresAt, created_at as createdAt
      from verification_challenges where type = ? and target_index = ?`,
  ).get(type, targetIndex) as EmailChallenge | undefined
}

/**
 * Stores a new code for the address. Failures carry over unless the last
 * series began before `resetFailuresBefore`: a fresh code never buys fresh tries.
 */
export function replaceEmailChallenge(
  db: PortalDatabase,
  {
    targetIndex,
    codeHash,
    expiresAt,
    now,
    resetFailuresBefore,
    type = 'email-code',
  }: {
    targetIndex: Buffer
    codeHash: Buffer
    expiresAt: number
    now: number
    resetFailuresBefore: number
    type?: ChallengeType
  },
) {
  prepared(
    db,
    `
      insert into verification_challenges (type, target_index, code_hash, failures, expires_at, created_at)
      values (?, ?, ?, 0, ?, ?)
      on conflict (type, target_index) do update set
        code_hash = excluded.code_hash,
        expires_at = excluded.expires_at,
        failures = case when verification_challenges.created_at < ? then 0 else verification_challenges.failures end,
        created_at = case when verification_challenges.created_at < ? then excluded.created_at
                          else verification_challenges.created_at end`,
  ).run(type, targetIndex, codeHash, expiresAt, now, resetFailuresBefore, resetFailuresBefore)
}

export function recordEmailChallengeFailure(
  db: PortalDatabase,
  targetIndex: Buffer,
  type: ChallengeType = 'email-code',
) {
  prepared(
    db,
    'update verification_challenges set failures = failures + 1 where type = ? and target_index = ?',
  ).run(type, targetIndex)
}

/** Used: gone, so the code cannot be used again. */
export function deleteEmailChallenge(
  db: PortalDatabase,
  targetIndex: Buffer,
  type: ChallengeType = 'email-code',
) {
  prepared(db, 'delete from verification_challenges where type = ? and target_index = ?').run(
    type,
    targetIndex,
  )
}
