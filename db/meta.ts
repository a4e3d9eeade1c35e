import { eq, sql } from 'drizzle-orm'
import type { SqliteDatabase } from './client'
import { portalMeta } from './schema'

export function readMeta(db: SqliteDatabase, key: string): string | undefined {
  return db.select({ value: portalMeta.value }).from(portalMeta).where(eq(portalMeta.key, key)).get()?.value
}

export function writeMeta(db: SqliteDatabase, key: string, value: string) {
  db.insert(portalMeta)
    .values({ key, value })
    .onConflictDoUpdate({
      target: portalMeta.key,
      set: { value, updatedAt: sql`(unixepoch('subsec') * 1000)` },
    })
    .run()
}

/** A cheap query that proves the database file is open and readable. */
export function isDatabaseReachable(db: SqliteDatabase) {
  try {
    db.$client.prepare('select 1').get()
    return true
  } catch {
    return false
  }
}
