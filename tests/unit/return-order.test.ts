import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { describe, expect, it } from 'vitest'
import { closeDatabase, openDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { listDraftPhotos } from '~db/return-drafts'
import { listReturnEvents } from '~db/return-requests'
import { createKeyring } from '~db/seal'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { migratedPortalDatabase } from '../support/migrated-database'
import { migrationsUpTo } from '../support/migrations-up-to'
import { describeReturnOrderContract } from '../support/return-order-contract'
import { testSecrets } from '../support/secrets'

describeReturnOrderContract('SQLite', async () => {
  return migratedPortalDatabase('return-order-')
})

describe('photos and events stored before they were numbered', () => {
  it('keep the order they were listed in (their moment, then rowid) once migrated', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'return-order-migration-'))
    const sqlite = openDatabase(join(directory, 'portal.db'))
    try {
      migrationsUpTo('0021_untracked_index_suite', join(directory, 'migrations'))
      migrate(sqlite, { migrationsFolder: join(directory, 'migrations') })
      const client = sqlite.$client
      client
        .prepare(
          `insert into return_drafts (id, token_hash, created_at, updated_at, expires_at)
           values (1, x'01', 0, 0, 9999999999999)`,
        )
        .run()
      client
        .prepare(
          `insert into return_requests (id, reference, email_index, reason, details_sealed, created_at, updated_at)
           values (1, 'R-BEFORE', x'02', 'other', x'00', 0, 0)`,
        )
        .run()
      // IDs against the grain of the order, and one moment later than the rest though stored first.
      const photos = [
        { id: 'Pz', at: 2000 },
        { id: 'Py', at: 1000 },
        { id: 'Px', at: 1000 },
        { id: 'Pw', at: 1000 },
      ]
      for (const { id, at } of photos) {
        client
          .prepare(
            `insert into return_photos (id, draft_id, media_type, width, height, byte_length, photo_sealed, created_at)
             values (?, 1, 'image/jpeg', 1, 1, 1, x'00', ?)`,
          )
          .run(id, at)
      }
      for (const { id, at } of photos) {
        client
          .prepare(
            `insert into return_events (id, request_id, kind, created_at) values (?, 1, 'status_changed', ?)`,
          )
          .run(id.replace('P', 'E'), at)
      }
      migrateDatabase(sqlite)
      const db = sqlitePortalDatabase(sqlite)
      const keyring = createKeyring({ current: testSecrets().PORTAL_DATA_KEY })
      const listed = ['y', 'x', 'w', 'z']
      expect((await listDraftPhotos(db, 1)).map((photo) => photo.id)).toEqual(listed.map((id) => `P${id}`))
      expect((await listReturnEvents(db, keyring, 1)).map((event) => event.id)).toEqual(
        listed.map((id) => `E${id}`),
      )
    } finally {
      closeDatabase(sqlite)
      rmSync(directory, { recursive: true, force: true })
    }
  })
})
