import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseConfig } from '~/config.server'
import { portalPrinterFolder } from '~/notify/printer-folder.server'
import { spoolDirectoryFor } from '~/returns/multipart-form.server'
import { markServing, servingMarkerFor, servingProcess, servingProcessFor } from '~/server/serving-marker'
import { leaveSqliteCheckpointsToTheirThread, startSqliteCheckpoints } from '~/server/sqlite-checkpoints'
import { storageFullPlace } from '~/server/storage-full'
import { isStorageFull, storageFullCause } from '~/server/storage-full-error'
import { closeDatabase, openDatabase } from '~db/client'
import { testSecrets } from '../support/secrets'

/**
 * What the portal keeps on this machine's disk (the upload spool, printer
 * files, the serving marker) goes under DATA_DIRECTORY: where it always was
 * beside a SQLite file, and in a folder of its own with a PostgreSQL server,
 * whose address (and password) never becomes a path or a log line.
 */

const PASSWORD = 'n0t-a-path-s3cret'
const POSTGRES_URL = `postgres://portal:${PASSWORD}@db.internal:5432/portal`

const sqlite = parseConfig({ ...testSecrets(), DATABASE_URL: '/srv/portal/portal.db' })
const postgres = parseConfig({ ...testSecrets(), DATABASE_URL: POSTGRES_URL })
const postgresElsewhere = parseConfig({
  ...testSecrets(),
  DATABASE_URL: POSTGRES_URL,
  DATA_DIRECTORY: '/var/portal',
})

const directory = mkdtempSync(join(tmpdir(), 'machine-files-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe('the upload spool and the printer folder', () => {
  it('stay beside a SQLite file, where earlier versions put them', () => {
    expect(spoolDirectoryFor(sqlite)).toBe('/srv/portal/upload-spool')
    expect(portalPrinterFolder(sqlite)).toBe('/srv/portal/notify')
  })

  it('go under DATA_DIRECTORY with a PostgreSQL server, and under the one set when it is', () => {
    expect(spoolDirectoryFor(postgres)).toBe(join('data', 'upload-spool'))
    expect(portalPrinterFolder(postgres)).toBe(join('data', 'notify'))
    expect(spoolDirectoryFor(postgresElsewhere)).toBe('/var/portal/upload-spool')
    expect(portalPrinterFolder(postgresElsewhere)).toBe('/var/portal/notify')
    const sqliteElsewhere = parseConfig({
      ...testSecrets(),
      DATABASE_URL: '/srv/portal/portal.db',
      DATA_DIRECTORY: '/var/portal',
    })
    expect(spoolDirectoryFor(sqliteElsewhere)).toBe('/var/portal/upload-spool')
  })
})

describe('the serving marker', () => {
  it('is beside a SQLite file as always, and in DATA_DIRECTORY with a PostgreSQL server', () => {
    expect(servingMarkerFor(sqlite)).toBe('/srv/portal/portal.db.serving')
    expect(servingMarkerFor(postgresElsewhere)).toBe('/var/portal/portal.serving')
    expect(servingMarkerFor(postgres)).not.toContain(PASSWORD)
  })

  it('on PostgreSQL, is written private in a DATA_DIRECTORY it makes, and names this process', () => {
    const data = join(directory, 'node-data')
    const config = parseConfig({ ...testSecrets(), DATABASE_URL: POSTGRES_URL, DATA_DIRECTORY: data })
    expect(servingProcessFor(config)).toBeUndefined()
    markServing(config)
    // A restart on the same machine replaces its own marker rather than refusing to start.
    markServing(config)
    expect(readdirSync(data)).toEqual(['portal.serving'])
    expect(statSync(data).mode & 0o777).toBe(0o700)
    expect(statSync(join(data, 'portal.serving')).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(join(data, 'portal.serving'), 'utf8'))).toEqual({ pid: process.pid })
    expect(servingProcessFor(config)).toBe(process.pid)
  })

  it('on SQLite, is still <database>.serving, which restore and the other commands read', () => {
    const database = join(directory, 'portal.db')
    const config = parseConfig({ ...testSecrets(), DATABASE_URL: database })
    markServing(config)
    expect(existsSync(`${database}.serving`)).toBe(true)
    expect(servingProcess(database)).toBe(process.pid)
    expect(servingProcessFor(config)).toBe(process.pid)
  })
})

describe('a full disk', () => {
  it("is PostgreSQL's disk_full (53100) too, wrapped or not, beside SQLite's and the file system's", () => {
    expect(isStorageFull({ code: '53100' })).toBe(true)
    expect(isStorageFull(new Error('query failed', { cause: { code: '53100' } }))).toBe(true)
    expect(isStorageFull({ code: 'SQLITE_FULL' })).toBe(true)
    expect(isStorageFull({ code: 'ENOSPC' })).toBe(true)
    // Out of memory, too many connections: not a full disk.
    expect(isStorageFull({ code: '53200' })).toBe(false)
    expect(isStorageFull({ code: '53300' })).toBe(false)
  })

  it("is logged as the PostgreSQL server's, never with its address, or as the disk a file of this machine is on", () => {
    const serverFull = storageFullPlace(storageFullCause({ cause: { code: '53100' } }), postgres)
    expect(serverFull).toBe("the PostgreSQL server's disk")
    expect(serverFull).not.toContain(PASSWORD)
    // The spool's write error, without a file name: DATA_DIRECTORY's disk, not a folder made of the URL.
    expect(storageFullPlace(storageFullCause({ code: 'ENOSPC' }), postgresElsewhere)).toBe('/var/portal')
    expect(storageFullPlace(storageFullCause({ code: 'ENOSPC', path: '/spool/x/photo' }), postgres)).toBe(
      '/spool/x',
    )
  })

  it('on SQLite, is still the database folder', () => {
    const elsewhere = parseConfig({
      ...testSecrets(),
      DATABASE_URL: '/srv/portal/portal.db',
      DATA_DIRECTORY: '/var/portal',
    })
    expect(storageFullPlace(storageFullCause({ code: 'SQLITE_FULL' }), elsewhere)).toBe('/srv/portal')
    expect(storageFullPlace(storageFullCause({ code: 'ENOSPC' }), sqlite)).toBe('/srv/portal')
  })
})

describe('write-ahead log checkpoints', () => {
  const autocheckpoint = (db: ReturnType<typeof openDatabase>) =>
    db.$client.pragma('wal_autocheckpoint', { simple: true })

  it('are left alone with a PostgreSQL server: no thread, and commands keep checkpointing as they commit', async () => {
    expect(startSqliteCheckpoints(postgres)).toBeUndefined()
    leaveSqliteCheckpointsToTheirThread(postgres)
    const db = openDatabase(join(directory, 'checkpoints.db'))
    expect(autocheckpoint(db)).toBe(1000)
    closeDatabase(db)
  })

  it('go to their thread on SQLite', async () => {
    const path = join(directory, 'checkpoints.db')
    const config = parseConfig({ ...testSecrets(), DATABASE_URL: path })
    leaveSqliteCheckpointsToTheirThread(config)
    const db = openDatabase(path)
    expect(autocheckpoint(db)).toBe(0)
    const thread = startSqliteCheckpoints(config)
    expect(thread).toBeDefined()
    await thread?.stop()
    closeDatabase(db)
  })
})
