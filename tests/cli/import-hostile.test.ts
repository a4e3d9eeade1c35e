import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import iconv from 'iconv-lite'
import { afterEach, describe, expect, it } from 'vitest'
import { importFiles } from '~db/import/import-files'
import { UnreadableFileError } from '~db/import/source'
import { createPortalCrypto } from '~db/portal-crypto'
import { unsealJson } from '~db/seal'
import { type SubjectRecord, subjectRecordContext } from '~db/subject-record'
import { exportDirectory, MEMBER_COLUMNS, member } from '../support/export-files'
import { openMigratedDatabase } from '../support/migrated-database'
import { portalCommand } from '../support/portal-command'
import { testSecrets } from '../support/secrets'

/**
 * The importer given hostile files, generated: mutated real exports (a
 * members file of good records, some made bad on purpose, some bytes
 * flipped, the whole re-encoded, its columns shuffled, its header gone, a
 * BOM, line endings mixed, lines duplicated, very long fields) and random
 * bytes. It never throws but UnreadableFileError (the command's exit 1),
 * reports every bad record by its line with nothing personal in the
 * report, and keeps every good record.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const importCommand = portalCommand('app/cli/import.ts')

const folders: string[] = []
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
})

function folder() {
  const directory = exportDirectory()
  folders.push(directory)
  return directory
}

const quote = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)

/** What makes a record certainly bad, and the field the report must name. */
const BREAKS = {
  gender: (row: Record<string, string>) => ({ ...row, gender: '4' }),
  birth_date: (row: Record<string, string>) => ({ ...row, birth_date: '1980-13-45' }),
  email: (row: Record<string, string>) => ({ ...row, email: `${row.email}@@` }),
  member_id: (row: Record<string, string>) => ({ ...row, member_id: '' }),
  family_name: (row: Record<string, string>) => ({ ...row, family_name: '名'.repeat(100_000) }),
} as const
type Break = keyof typeof BREAKS

/** Byte changes within one line that keep it one CSV record: no quote, comma or line break made. */
const lineMutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('nul' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('invalid-utf8' as const), at: fc.nat() }),
)
type LineMutation = typeof lineMutation extends fc.Arbitrary<infer T> ? T : never

function mutateLine(line: Buffer, mutation: LineMutation): Buffer {
  const at = line.length === 0 ? 0 : mutation.at % line.length
  const insert = (bytes: number[]) =>
    Buffer.concat([line.subarray(0, at), Buffer.from(bytes), line.subarray(at)])
  switch (mutation.kind) {
    case 'flip': {
      // Never a quote, comma or line break: those change where records end, which no importer can undo.
      const byte = [0x22, 0x2c, 0x0a, 0x0d].includes(mutation.byte) ? 0x3f : mutation.byte
      const copy = Buffer.from(line)
      copy[at] = byte
      return copy
    }
    case 'nul':
      return insert([0x00])
    case 'invalid-utf8':
      return insert([0xed, 0xa0, 0x80, 0xff])
  }
}

const exportShape = fc.record({
  good: fc.integer({ min: 1, max: 8 }),
  broken: fc.array(fc.constantFrom(...(Object.keys(BREAKS) as Break[])), { maxLength: 4 }),
  /** Lines (among the good ones) whose bytes are changed: they may or may not import, but never crash it. */
  mutated: fc.array(fc.tuple(fc.nat(), lineMutation), { maxLength: 2 }),
  duplicated: fc.boolean(),
  columnOrder: fc.shuffledSubarray([...MEMBER_COLUMNS], {
    minLength: MEMBER_COLUMNS.length,
    maxLength: MEMBER_COLUMNS.length,
  }),
  bom: fc.boolean(),
  lineEndings: fc.constantFrom('lf' as const, 'crlf' as const, 'mixed' as const),
  encoding: fc.constantFrom('utf8' as const, 'cp932' as const),
  header: fc.constantFrom('kept' as const, 'kept' as const, 'kept' as const, 'removed' as const),
  seed: fc.nat(),
})

type Built = {
  bytes: Buffer
  /** Member ID → e-mail of each record that must be imported as it is. */
  good: Map<string, string>
  /** Line number → what made the record bad. */
  bad: Map<number, Break | 'bytes'>
  /** Every e-mail address in the file: none may appear in the report. */
  emails: string[]
  dataLines: number
}

function buildExport(shape: typeof exportShape extends fc.Arbitrary<infer T> ? T : never): Built {
  type Row = { fields: Record<string, string>; breaks?: Break; mutation?: LineMutation }
  const rows: Row[] = []
  for (let i = 0; i < shape.good; i++) {
    const id = `M${shape.seed}${i}`
    const values = member({
      member_id: id,
      email: `h${shape.seed}.${i}@example.jp`,
      phone: `090-0000-${1000 + i}`,
    })
    rows.push({ fields: Object.fromEntries(MEMBER_COLUMNS.map((column, c) => [column, values[c] ?? ''])) })
  }
  shape.broken.forEach((breaks, i) => {
    const id = `B${shape.seed}${i}`
    const values = member({ member_id: id, email: `b${shape.seed}.${i}@example.jp` })
    const fields = Object.fromEntries(MEMBER_COLUMNS.map((column, c) => [column, values[c] ?? '']))
    rows.push({ fields: BREAKS[breaks](fields), breaks })
  })
  for (const [index, mutation] of shape.mutated) {
    const row = rows[index % shape.good] as Row
    if (!row.breaks) row.mutation = mutation
  }
  // A duplicated good line: the same record twice, imported once, not an error.
  if (shape.duplicated) rows.push({ ...(rows[0] as Row) })
  // Shuffled into the file, the broken among the good.
  const order = rows.map((row, i) => ({ row, key: (i * 7919 + shape.seed) % 104_729 }))
  order.sort((a, b) => a.key - b.key)
  const columns = shape.columnOrder
  const header = columns.join(',')
  const lines: Buffer[] = []
  const good = new Map<string, string>()
  const bad = new Map<number, Break | 'bytes'>()
  const firstLine = shape.header === 'kept' ? 2 : 1
  if (shape.header === 'kept') lines.push(Buffer.from(header))
  order.forEach(({ row }, i) => {
    const text = columns.map((column) => quote(row.fields[column] ?? '')).join(',')
    let line = shape.encoding === 'cp932' ? iconv.encode(text, 'cp932') : Buffer.from(text)
    if (row.mutation) line = mutateLine(line, row.mutation)
    lines.push(line)
    const id = row.fields.member_id as string
    if (row.breaks) bad.set(firstLine + i, row.breaks)
    // Bytes that are not UTF-8 in a UTF-8 file: that record is damaged, and must be reported as such.
    else if (row.mutation?.kind === 'invalid-utf8' && shape.encoding === 'utf8')
      bad.set(firstLine + i, 'bytes')
    else if (!row.mutation) good.set(id, row.fields.email as string)
  })
  const ending = (i: number) =>
    shape.lineEndings === 'crlf' || (shape.lineEndings === 'mixed' && i % 2 === 0) ? '\r\n' : '\n'
  const body = Buffer.concat(lines.flatMap((line, i) => [line, Buffer.from(ending(i))]))
  const bytes =
    shape.bom && shape.encoding === 'utf8' ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body
  return {
    bytes,
    good,
    bad,
    emails: rows.map((row) => row.fields.email as string).filter(Boolean),
    dataLines: order.length,
  }
}

const count = (db: ReturnType<typeof openMigratedDatabase>, sql: string, ...params: unknown[]) =>
  db.$client
    .prepare(sql)
    .pluck()
    .get(...params) as number

describe('the importer, given mutated real exports', () => {
  it('reports every bad record by its line, nothing personal, and keeps every good one', async () => {
    await fc.assert(
      fc.asyncProperty(exportShape, async (shape) => {
        const directory = folder()
        const built = buildExport(shape)
        const file = join(directory, 'members.csv')
        writeFileSync(file, built.bytes)
        const db = openMigratedDatabase(join(directory, 'portal.db'))
        try {
          let result: Awaited<ReturnType<typeof importFiles>>
          try {
            result = await importFiles({ db, crypto, paths: [file] })
          } catch (error) {
            // A file it cannot read at all is refused whole, in one line, nothing written.
            expect(error).toBeInstanceOf(UnreadableFileError)
            expect(count(db, 'select count(*) from subjects')).toBe(0)
            // Only a file without its header may be refused: any other shape holds every column.
            expect(shape.header).toBe('removed')
            for (const email of built.emails) expect((error as Error).message).not.toContain(email)
            return
          }
          const report = result.files[0]
          expect(report?.records).toBe(built.dataLines)
          const rejectedLines = new Map(report?.errors.map((error) => [error.line, error.field]))
          for (const [line, field] of built.bad) {
            expect(rejectedLines.has(line), `line ${line} (${field}) reported`).toBe(true)
          }
          for (const error of report?.errors ?? []) {
            expect(error.line).toBeGreaterThanOrEqual(1)
            expect(error.line).toBeLessThanOrEqual(built.dataLines + 1)
          }
          const reportText = JSON.stringify(result)
          for (const email of built.emails) expect(reportText).not.toContain(email)
          expect(reportText).not.toContain('名名名名')
          for (const memberId of built.good.keys()) {
            const found = count(
              db,
              "select count(*) from subjects where cohort = 'member' and natural_id_index = ?",
              crypto.index('member-id', memberId),
            )
            expect(found, `good record ${memberId} kept`).toBe(1)
          }
        } finally {
          db.$client.close()
        }
      }),
      { numRuns: 150 },
    )
  }, 120_000)
})

describe('a UTF-8 export with a few damaged bytes', () => {
  it('is read as UTF-8: the damaged record reported, the others kept with their names intact', async () => {
    const directory = folder()
    const rows = [1, 2, 3].map((i) => member({ member_id: `M${i}`, email: `d${i}@example.jp` }).join(','))
    // Line 3 (record 2) carries an unpaired surrogate's bytes, at the start of its second field.
    const damaged = Buffer.concat([Buffer.from('M2,'), Buffer.from([0xed, 0xa0, 0x80])])
    const file = join(directory, 'members.csv')
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${MEMBER_COLUMNS.join(',')}\n${rows[0]}\n`),
        Buffer.concat([damaged, Buffer.from(`${(rows[1] as string).slice('M2,'.length)}\n`)]),
        Buffer.from(`${rows[2]}\n`),
      ]),
    )
    const db = openMigratedDatabase(join(directory, 'portal.db'))
    try {
      const result = await importFiles({ db, crypto, paths: [file] })
      expect(result.files[0]?.errors).toEqual([
        {
          record: 2,
          line: 3,
          field: 'registered_at',
          reason: "bytes that are not text in the file's encoding (UTF-8 or CP932)",
        },
      ])
      expect(result.files[0]?.inserted).toBe(2)
      // Read as CP932 (as before), every name would have been stored as nonsense: 見本 is still 見本.
      const naturalIdIndex = crypto.index('member-id', 'M3')
      const row = db.$client
        .prepare("select id, record_sealed from subjects where cohort = 'member' and natural_id_index = ?")
        .get(naturalIdIndex) as { id: number; record_sealed: Buffer }
      const record = unsealJson<SubjectRecord>({
        keyring: crypto.keyring,
        context: subjectRecordContext(row.id),
        sealed: row.record_sealed,
      })
      expect(JSON.stringify(record)).toContain('見本')
    } finally {
      db.$client.close()
    }
  })
})

/** Runs the import command on `paths`, as an operator would. */
function runImport(directory: string, paths: string[]) {
  return spawnSync(importCommand.command, [...importCommand.args, '--json', ...paths], {
    cwd: directory,
    env: {
      ...importCommand.env,
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: join(directory, 'portal.db'),
      ...testSecrets(),
    },
    encoding: 'utf8',
    timeout: 60_000,
  })
}

describe('the import command, given random bytes', () => {
  it('exits 0 with a report or 1 with one line, never with a stack', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
          // A header it knows, then random bytes: the records' reader, not the header check, meets them.
          fc
            .uint8Array({ maxLength: 2048 })
            .map((bytes) =>
              Buffer.concat([Buffer.from(`${MEMBER_COLUMNS.join(',')}\n`), Buffer.from(bytes)]),
            ),
        ),
        fc.constantFrom('members.csv', 'auction_buyers.csv', 'employees.csv', 'warehouse_staff.csv'),
        (bytes, name) => {
          const directory = folder()
          writeFileSync(join(directory, name), bytes)
          const result = runImport(directory, [directory])
          expect(result.signal, result.stderr).toBeNull()
          expect([0, 1], result.stderr).toContain(result.status)
          expect(result.stderr).not.toMatch(/^\s+at /m)
          if (result.status === 0) {
            const report = JSON.parse(result.stdout) as { files: { records: number; rejected: number }[] }
            expect(report.files).toHaveLength(1)
          } else {
            expect(result.stderr.trim().split('\n')).toHaveLength(1)
            expect(result.stderr).toMatch(/^Import stopped: /)
          }
        },
      ),
      // Each run starts the command (about a second): few runs.
      { numRuns: 16 },
    )
  }, 180_000)
})
