import { sql } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

const timestamps = {
  createdAt: integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(unixepoch('subsec') * 1000)`),
}

/** Facts about this installation (schema milestones, demo data loaded, …). */
export const portalMeta = sqliteTable('portal_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  ...timestamps,
})

export type PortalMeta = typeof portalMeta.$inferSelect
export type NewPortalMeta = typeof portalMeta.$inferInsert
