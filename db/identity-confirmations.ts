import { randomBytes } from 'node:crypto'
import { and, eq, gt, isNull, max, sql } from 'drizzle-orm'
import type { PortalDatabase } from './database'
import { type IdentityConfirmationReason, identityConfirmations } from './schema'
import { type Keyring, seal } from './seal'

/**
 * Call-back confirmations: a supervisor confirmed a caller by phoning the
 * number on file, which lets that human's next letter-code check pass without
 * the second factor, once, within `IDENTITY_CONFIRMATION_MS`.
 */

export const IDENTITY_CONFIRMATION_MS = 7 * 24 * 60 * 60 * 1000

export const reasonTextContext = (id: string) => `identity_confirmations:${id}:reason`

export async function addIdentityConfirmation(
  db: PortalDatabase,
  keyring: Keyring,
  {
    humanId,
    staffId,
    reason,
    reasonText,
    now,
  }: { humanId: number; staffId: string; reason: IdentityConfirmationReason; reasonText?: string; now: Date },
) {
  const id = `C${randomBytes(10).toString('hex')}`
  await db
    .insert(identityConfirmations)
    .values({
      id,
      humanId,
      staffId,
      reason,
      reasonTextSealed: reasonText
        ? seal({ keyring, context: reasonTextContext(id), plaintext: reasonText })
        : null,
      expiresAt: new Date(now.getTime() + IDENTITY_CONFIRMATION_MS),
      createdAt: now,
    })
    .run()
  return id
}

const usable = (humanId: number, now: Date) =>
  and(
    eq(identityConfirmations.humanId, humanId),
    isNull(identityConfirmations.usedAt),
    gt(identityConfirmations.expiresAt, now),
  )

/** Whether a usable confirmation is waiting: for the actions page, which says so. */
export async function hasActiveIdentityConfirmation(
  db: PortalDatabase,
  { humanId, now }: { humanId: number; now: Date },
): Promise<boolean> {
  const waiting = await db
    .select({ id: identityConfirmations.id })
    .from(identityConfirmations)
    .where(usable(humanId, now))
    .get()
  return waiting !== undefined
}

/** Until when a usable confirmation waits (the latest, if more than one), or null: for the case status. */
export async function activeIdentityConfirmationUntil(
  db: PortalDatabase,
  { humanId, now }: { humanId: number; now: Date },
): Promise<Date | null> {
  const row = await db
    .select({ until: max(identityConfirmations.expiresAt) })
    .from(identityConfirmations)
    .where(usable(humanId, now))
    .get()
  return row?.until ?? null
}

/**
 * Spends one usable confirmation in a single UPDATE, so two checks racing for
 * the same confirmation cannot both pass: only one changes a row. The row is
 * tested for being usable again as it is updated, since PostgreSQL, where the
 * second check waits for the first one's row, rechecks only that condition.
 */
export async function spendIdentityConfirmation(
  db: PortalDatabase,
  { humanId, now }: { humanId: number; now: Date },
): Promise<boolean> {
  const spent = await db
    .update(identityConfirmations)
    .set({ usedAt: now })
    .where(
      and(
        eq(
          identityConfirmations.id,
          sql`(select ${identityConfirmations.id} from ${identityConfirmations} where ${usable(humanId, now)} order by ${identityConfirmations.expiresAt} limit 1)`,
        ),
        usable(humanId, now),
      ),
    )
    .returning({ id: identityConfirmations.id })
    .all()
  return spent.length === 1
}
