import { randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { type PortalServer, startPortal } from '../support/portal-server'
import { eventually } from '../support/slow-client'

/**
 * The serving processes never copy the write-ahead log back in a request's
 * commit; a thread of the portal does it for every writer, the portal's own
 * and commands running beside it (db/wal-checkpoints.ts).
 */

let portal: PortalServer | undefined

afterEach(async () => {
  await portal?.stop()
  portal = undefined
})

const FILLER_BYTES = 4 * 1024 * 1024

describe.each([
  { workers: '1', how: 'one process' },
  { workers: '2', how: 'web workers' },
])('the write-ahead log with $how', ({ workers }) => {
  it('is copied into the database file by the portal, with no request made', async () => {
    portal = await startPortal({ env: { WEB_WORKERS: workers } })
    const { databasePath } = portal
    // A command's writes, as keys:rotate's batches are: left in the log, not checkpointed by their writer.
    const writer = new Database(databasePath)
    try {
      writer.pragma('busy_timeout = 5000')
      writer.pragma('wal_autocheckpoint = 0')
      const sizeBefore = statSync(databasePath).size
      writer
        .prepare(`insert into portal_meta (key, value) values ('test:filler', ?)`)
        .run(randomBytes(FILLER_BYTES / 2).toString('hex'))
      expect(statSync(`${databasePath}-wal`).size).toBeGreaterThan(FILLER_BYTES)
      await eventually(() => statSync(databasePath).size >= sizeBefore + FILLER_BYTES, 10_000)
      expect(portal.output()).not.toContain('[wal checkpoint]')
    } finally {
      writer.close()
    }
  }, 60_000)
})
