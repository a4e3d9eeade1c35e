import { and, asc, desc, eq, gt, gte, lt, lte, type SQL, sql } from 'drizzle-orm'
import type { AuditEntry } from './audit-entry'
import { storedAuditEntry } from './audit-stored'
import type { AuditAction, AuditActorKind, AuditTargetKind } from './audit-vocabulary'
import type { PortalDatabase } from './database'
import { auditLog } from './schema'

/**
 * The audit log as supervisors search it: by actor, action, target and time,
 * newest first, a page or an export at a time. Every read is cut by sequence
 * number rather than by offset, so a page deep in a long log costs what the
 * first does, and entries appended meanwhile shift nothing.
 */

export type AuditLogFilter = {
  /** Without an `id`: every entry by that kind of actor (all commands and jobs, say). */
  actor?: { kind: AuditActorKind; id?: number | string }
  action?: AuditAction
  /** Without an `id`: every entry on that kind of target. */
  target?: { kind: AuditTargetKind; id?: number | string }
  /** Epoch milliseconds, inclusive. */
  from?: number
  /** Epoch milliseconds, exclusive. */
  until?: number
}

export type AuditLogPage = {
  entries: AuditEntry[]
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null
  /** Pass as `after` for the previous (newer) page; null on the first page. */
  newerAfter: number | null
}

export const MAX_AUDIT_PAGE_SIZE = 500

function filterConditions(filter: AuditLogFilter): SQL[] {
  const conditions: SQL[] = []
  if (filter.actor) {
    conditions.push(eq(auditLog.actorKind, filter.actor.kind))
    if (filter.actor.id !== undefined) conditions.push(eq(auditLog.actorId, String(filter.actor.id)))
  }
  if (filter.action) conditions.push(eq(auditLog.action, filter.action))
  if (filter.target) {
    conditions.push(eq(auditLog.targetKind, filter.target.kind))
    if (filter.target.id !== undefined) conditions.push(eq(auditLog.targetId, String(filter.target.id)))
  }
  if (filter.from !== undefined) conditions.push(gte(auditLog.at, new Date(filter.from)))
  if (filter.until !== undefined) conditions.push(lt(auditLog.at, new Date(filter.until)))
  return conditions
}

type Row = typeof auditLog.$inferSelect

const entryOf = (row: Row) => storedAuditEntry({ ...row, at: row.at.getTime() })

async function anyMatching(db: PortalDatabase, conditions: SQL[]) {
  const found = await db
    .select({ sequence: auditLog.sequence })
    .from(auditLog)
    .where(and(...conditions))
    .limit(1)
    .get()
  return found !== undefined
}

/**
 * The entries matching `filter`, newest first, `limit` at a time: the
 * newest, or those older than `before`, or the newest page above `after`
 * (what a "newer" link asks for, read upwards and turned round).
 */
export async function listAuditEntries(
  db: PortalDatabase,
  {
    filter = {},
    before,
    after,
    limit = 50,
  }: { filter?: AuditLogFilter; before?: number; after?: number; limit?: number },
): Promise<AuditLogPage> {
  const size = Math.min(Math.max(1, Math.trunc(limit)), MAX_AUDIT_PAGE_SIZE)
  const conditions = filterConditions(filter)
  if (after !== undefined && before === undefined) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(...conditions, gt(auditLog.sequence, after)))
      .orderBy(asc(auditLog.sequence))
      .limit(size + 1)
      .all()
    const entries = rows.slice(0, size).reverse().map(entryOf)
    const oldest = entries.at(-1)?.sequence ?? after + 1
    return {
      entries,
      newerAfter: rows.length > size ? (entries[0]?.sequence ?? null) : null,
      nextBefore: (await anyMatching(db, [...conditions, lt(auditLog.sequence, oldest)])) ? oldest : null,
    }
  }
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...conditions, before === undefined ? undefined : lt(auditLog.sequence, before)))
    .orderBy(desc(auditLog.sequence))
    .limit(size + 1)
    .all()
  const entries = rows.slice(0, size).map(entryOf)
  const newest = entries[0]?.sequence ?? (before === undefined ? undefined : before - 1)
  return {
    entries,
    nextBefore: rows.length > size ? (entries.at(-1)?.sequence ?? null) : null,
    newerAfter:
      newest !== undefined &&
      before !== undefined &&
      (await anyMatching(db, [...conditions, gt(auditLog.sequence, newest)]))
        ? newest
        : null,
  }
}

/**
 * How many entries up to sequence `upTo` match `filter`, counting no further
 * than `cap`: what an export of them will hold.
 */
export async function countAuditEntries(
  db: PortalDatabase,
  { filter = {}, upTo, cap }: { filter?: AuditLogFilter; upTo: number; cap: number },
): Promise<number> {
  const matching = db
    .select({ sequence: auditLog.sequence })
    .from(auditLog)
    .where(and(...filterConditions(filter), lte(auditLog.sequence, upTo)))
    .limit(cap)
    .as('matching')
  const row = await db.select({ count: sql<number>`count(*)` }).from(matching).get()
  return row?.count ?? 0
}

/**
 * The entries up to sequence `upTo` matching `filter`, newest first, at most
 * `limit`, read `pageSize` at a time: an export of a hundred thousand entries
 * holds one page in memory, and no statement stays open between pages.
 */
export async function* readAuditEntries(
  db: PortalDatabase,
  {
    filter = {},
    upTo,
    limit,
    pageSize = 1000,
  }: { filter?: AuditLogFilter; upTo: number; limit: number; pageSize?: number },
): AsyncGenerator<AuditEntry> {
  const conditions = filterConditions(filter)
  let below = upTo + 1
  let left = limit
  while (left > 0) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(...conditions, lt(auditLog.sequence, below)))
      .orderBy(desc(auditLog.sequence))
      .limit(Math.min(pageSize, left))
      .all()
    for (const row of rows) yield entryOf(row)
    left -= rows.length
    const last = rows.at(-1)
    if (!last || rows.length < pageSize) return
    below = last.sequence
  }
}
