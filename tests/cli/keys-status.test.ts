import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KeyStatus, keyIdHex } from '~/keys/key-status.server'
import { createPortalCrypto } from '~db/portal-crypto'
import { dataKeyFrom, sealWithAesGcm } from '~db/seal'
import { SEALED_COLUMNS } from '~db/sealed-columns'
import { subjectRecordContext } from '~db/subject-record'
import { importExport, readDatabase } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { copyMigratedDatabase } from '../support/migrated-database'
import { runPortalCommand } from '../support/notified-population'
import { startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

/**
 * `npm run keys:status` over a database imported under one data key: what it
 * counts by key and suite under each configuration, and the portal refusing
 * to start while values are sealed under a key it lacks.
 */

const secrets = testSecrets()
const KEY_A = secrets.PORTAL_DATA_KEY
const KEY_B = randomBytes(32).toString('base64')
const ID_A = keyIdHex(dataKeyFrom(KEY_A).id)
const ID_B = keyIdHex(dataKeyFrom(KEY_B).id)
const MEMBERS = 12
let directory: string
let databasePath: string
let sealedValues = 0

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'portal-keys-'))
  databasePath = join(directory, 'portal.db')
  copyMigratedDatabase(databasePath)
  await importExport(databasePath, secrets, {
    'members.csv': [
      MEMBER_COLUMNS,
      ...Array.from({ length: MEMBERS }, (_, i) =>
        member({ member_id: `S${i + 1}`, email: `keys${i}@example.jp` }),
      ),
    ],
  })
  // One value as the first suite sealed it, in place of what the import wrote (its context is the same).
  const crypto = createPortalCrypto({ dataKey: KEY_A, indexKey: secrets.PORTAL_INDEX_KEY })
  const db = new Database(databasePath)
  try {
    const row = db.prepare("select id from subjects where cohort = 'member' limit 1").get() as { id: number }
    const context = subjectRecordContext(row.id)
    db.prepare('update subjects set record_sealed = ? where id = ?').run(
      sealWithAesGcm({ keyring: crypto.keyring, context, plaintext: '{}' }),
      row.id,
    )
  } finally {
    db.close()
  }
  sealedValues = readDatabase(databasePath, (db) =>
    SEALED_COLUMNS.reduce(
      (sum, { table, column }) =>
        sum + Number(db.prepare(`select count(*) from ${table} where ${column} is not null`).pluck().get()),
      0,
    ),
  )
  expect(sealedValues).toBeGreaterThanOrEqual(MEMBERS)
}, 120_000)

afterAll(() => {
  if (directory) rmSync(directory, { recursive: true, force: true })
})

const status = (keys: Record<string, string>) =>
  runPortalCommand('app/cli/keys.ts', {
    cwd: directory,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: databasePath, ...secrets, ...keys },
    args: ['status', '--json'],
  })

describe('npm run keys:status', () => {
  it('knows every sealed column the schema has', () => {
    const inSchema = readDatabase(databasePath, (db) =>
      db
        .prepare(
          "select m.name || '.' || p.name from sqlite_master m join pragma_table_info(m.name) p where m.type = 'table' and p.name like '%\\_sealed' escape '\\'",
        )
        .pluck()
        .all(),
    )
    expect(inSchema.length).toBeGreaterThan(10)
    expect(new Set(inSchema)).toEqual(
      new Set(SEALED_COLUMNS.map(({ table, column }) => `${table}.${column}`)),
    )
  })

  it('counts every value under the key that sealed it, by suite, and what is not yet under the current suite', async () => {
    const result = await status({})
    expect(result.status, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as KeyStatus
    expect(report.keys).toEqual([
      {
        keyId: ID_A,
        role: 'current',
        suites: { 'XChaCha20-Poly1305': sealedValues - 1, 'AES-256-GCM': 1 },
        values: sealedValues,
      },
    ])
    expect(report).toMatchObject({ toReseal: 1, unopenable: 0, malformed: 0 })
  })

  it('after a new key is made current, counts the old one as previous and everything as to re-seal', async () => {
    const result = await status({ PORTAL_DATA_KEY: KEY_B, PORTAL_PREVIOUS_DATA_KEYS: ` ${KEY_A} ,` })
    expect(result.status, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as KeyStatus
    expect(report.keys.map(({ keyId, role, values }) => ({ keyId, role, values }))).toEqual([
      { keyId: ID_B, role: 'current', values: 0 },
      { keyId: ID_A, role: 'previous', values: sealedValues },
    ])
    expect(report).toMatchObject({ toReseal: sealedValues, unopenable: 0 })
  })

  it('without the old key, names it and its count and exits 1, in plain text too', async () => {
    const json = await status({ PORTAL_DATA_KEY: KEY_B })
    expect(json.status).toBe(1)
    expect((JSON.parse(json.stdout) as KeyStatus).unopenable).toBe(sealedValues)
    const text = await runPortalCommand('app/cli/keys.ts', {
      cwd: directory,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        DATABASE_URL: databasePath,
        ...secrets,
        PORTAL_DATA_KEY: KEY_B,
      },
      args: ['status'],
    })
    expect(text.status).toBe(1)
    expect(text.stdout).toContain(`key ${ID_A} (not configured): ${sealedValues}`)
    expect(text.stderr).toContain(`key ${ID_A} (${sealedValues} values)`)
    expect(text.stderr).toContain('PORTAL_PREVIOUS_DATA_KEYS')
    expect(`${text.stdout}${text.stderr}`).not.toContain(KEY_A)
  })

  it('refuses a malformed list of previous keys with one line naming the variable, never the value', async () => {
    const result = await status({ PORTAL_PREVIOUS_DATA_KEYS: `${KEY_A},not-a-key` })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('PORTAL_PREVIOUS_DATA_KEYS')
    expect(result.stderr).not.toContain(KEY_A)
    const long = await status({ PORTAL_PREVIOUS_DATA_KEYS: `${KEY_A},`.repeat(40) })
    expect(long.status).toBe(1)
    expect(long.stderr).toContain('at most 8 keys')
  })
})

describe('the portal started without a key that sealed stored values', () => {
  it('exits 1 before it listens, naming the key ID and how many values it holds', async () => {
    const started = startPortal({ env: { ...secrets, DATABASE_URL: databasePath, PORTAL_DATA_KEY: KEY_B } })
    const error = await started.then(
      () => undefined,
      (refused: Error) => refused.message,
    )
    expect(error).toContain('exited with 1')
    expect(error).toContain(`key ${ID_A} (${sealedValues} values)`)
    expect(error).not.toContain(KEY_A)
  })

  it('starts once the old key is configured as a previous one', async () => {
    const portal = await startPortal({
      env: {
        ...secrets,
        DATABASE_URL: databasePath,
        PORTAL_DATA_KEY: KEY_B,
        PORTAL_PREVIOUS_DATA_KEYS: KEY_A,
      },
    })
    expect((await fetch(`${portal.url}/healthz`)).status).toBe(200)
    await portal.stop()
  })
})
