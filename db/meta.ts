import { eq } from 'drizzle-orm'
import { type PortalDatabase, prepared } from './database'
import { portalMeta } from './schema'

export async function readMeta(db: PortalDatabase, key: string): Promise<string | undefined> {
  const row = await db
    .select({ value: portalMeta.value })
    .from(portalMeta)
    .where(eq(portalMeta.key, key))
    .get()
  return row?.value
}

/**
 * Written by hand: drizzle names the conflict target `"portal_meta"."key"`,
 * which PostgreSQL refuses. A row replaced takes the time a new row would
 * have been given: the statement's, by the database's clock.
 */
export async function writeMeta(db: PortalDatabase, key: string, value: string) {
  await prepared(
    db,
    `insert into portal_meta (key, value) values (?, ?)
     on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`,
  ).run(key, value)
}

/** A cheap query that proves the database is open and answers. */
export async function isDatabaseReachable(db: PortalDatabase): Promise<boolean> {
  try {
    await prepared(db, 'select 1').get()
    return true
  } catch {
    return false
  }
}
