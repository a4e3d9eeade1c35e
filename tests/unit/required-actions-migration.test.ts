import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import { listOpenActions } from '~db/member-required-actions'
import { migrateDatabase } from '~db/migrate'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { migrationsUpTo } from '../support/migrations-up-to'

/**
 * A database made before `member_required_actions` (migration 0006, actions
 * as a JSON array in `member_accounts.open_actions`), migrated: every member
 * keeps exactly the actions they had open, and the column is gone.
 */

const BEFORE = '0006_outbox_priority_and_code_lockout'

let directory: string
let db: SqliteDatabase

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'required-actions-migration-'))
  migrationsUpTo(BEFORE, join(directory, 'migrations'))
  db = openDatabase(join(directory, 'portal.db'))
  migrate(db, { migrationsFolder: join(directory, 'migrations') })
})

afterEach(() => {
  closeDatabase(db)
  rmSync(directory, { recursive: true, force: true })
})

/** A member as the schema of 0006 stored one; `openActions` undefined leaves the column's default. */
function memberBefore(id: number, openActions?: string, readyAt: number | null = null) {
  db.$client
    .prepare(
      `insert into subjects (id, human_id, cohort, natural_id_index, exposed_categories, record_sealed)
       values (?, ?, 'member', ?, 0, x'00')`,
    )
    .run(id, id, Buffer.from([id]))
  if (openActions === undefined)
    db.$client.prepare('insert into member_accounts (subject_id, ready_at) values (?, ?)').run(id, readyAt)
  else
    db.$client
      .prepare('insert into member_accounts (subject_id, open_actions, ready_at) values (?, ?, ?)')
      .run(id, openActions, readyAt)
}

describe('migrating open_actions to member_required_actions', () => {
  it('carries every member’s open actions over, in the order they are led through them, and drops the column', async () => {
    memberBefore(1)
    memberBefore(2, '["reconfirm_details"]')
    memberBefore(3, '["reconfirm_details","verify_email"]')
    memberBefore(4, '["verify_email"]')
    memberBefore(5, '[]', 1_700_000_000_000)
    memberBefore(6, '["reset_password","reconfirm_details"]')

    migrateDatabase(db)

    const portal = sqlitePortalDatabase(db)
    expect(await Promise.all([1, 2, 3, 4, 5, 6].map((id) => listOpenActions(portal, id)))).toEqual([
      ['reset_password', 'reconfirm_details'],
      ['reconfirm_details'],
      ['reconfirm_details', 'verify_email'],
      ['verify_email'],
      [],
      ['reset_password', 'reconfirm_details'],
    ])
    expect(db.$client.prepare('select count(*) from member_required_actions').pluck().get()).toBe(8)
    // One B-tree, the key itself: two rows a member in a million-member import.
    expect(
      db.$client
        .prepare('select wr from pragma_table_list where name = ?')
        .pluck()
        .get('member_required_actions'),
    ).toBe(1)
    const columns = db.$client.prepare('select name from pragma_table_info(?)').pluck().all('member_accounts')
    expect(columns).toContain('ready_at')
    expect(columns).not.toContain('open_actions')
    expect(db.$client.prepare('select subject_id, ready_at from member_accounts order by 1').all()).toEqual([
      { subject_id: 1, ready_at: null },
      { subject_id: 2, ready_at: null },
      { subject_id: 3, ready_at: null },
      { subject_id: 4, ready_at: null },
      { subject_id: 5, ready_at: 1_700_000_000_000 },
      { subject_id: 6, ready_at: null },
    ])
  })

  it('leaves the actions to go with their member: deleting the subject deletes them', () => {
    memberBefore(1)
    migrateDatabase(db)
    db.$client.prepare('delete from subjects where id = 1').run()
    expect(db.$client.prepare('select count(*) from member_required_actions').pluck().get()).toBe(0)
  })
})
