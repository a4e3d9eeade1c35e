import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { parseGenerateArgs } from '~/cli/generate-args'
import { EXPORTS, type ExportKind } from '~db/generate/columns'
import { type GenerateResult, generateExports } from '~db/generate/generate'
import { Rejects } from '~db/generate/rejects'
import { seedNumber } from '~db/generate/world'
import { normaliseCardExpiry, normaliseCardLast4, normaliseIdentifier } from '~db/normalise'

/**
 * A synthetic export written by the generator (db/generate), read back row by row, with what the
 * importer should make of it: which rows the generator made deliberately unreadable, and how many
 * rows each file should end up as.
 */

export type GeneratedKind = ExportKind

export const GENERATED_KINDS = Object.keys(EXPORTS) as GeneratedKind[]

/** The generator's short names against the importer's names for the same files. */
export const IMPORT_KIND = {
  members: 'members',
  cards: 'member_cards',
  buyers: 'auction_buyers',
  employees: 'employees',
  staff: 'warehouse_staff',
} as const satisfies Record<GeneratedKind, string>

/** The column holding each file's own identifier (cards: the member they belong to). */
export const ID_COLUMN = {
  members: 'member_id',
  cards: 'member_id',
  buyers: 'buyer_id',
  employees: 'employee_id',
  staff: 'staff_id',
} as const satisfies Record<GeneratedKind, string>

/** One data row as the file holds it: 1-based record number, its first physical line, its fields. */
export type ExportRecord = { record: number; line: number; fields: Record<string, string> }

export type GeneratedExport = {
  dir: string
  args: { members: number; buyers: number; employees: number; warehouse: number; seed: string }
  result: GenerateResult
  records: Record<GeneratedKind, ExportRecord[]>
}

/** `npm run generate -- --messy`, with the command's own defaults for whatever is not given. */
export async function generateMessyExport({
  members,
  seed,
  demo,
}: {
  members: number
  seed: string
  demo: boolean
}): Promise<GeneratedExport> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-generated-export-'))
  const argv = ['--out', dir, '--members', String(members), '--seed', seed, '--messy']
  const parsed = parseGenerateArgs(demo ? [...argv, '--demo'] : argv)
  if (!parsed.ok || !('args' in parsed)) throw new Error(`bad generator arguments: ${JSON.stringify(parsed)}`)
  const result = await generateExports(parsed.args)
  const records = Object.fromEntries(
    GENERATED_KINDS.map((kind) => [kind, readExportFile(join(dir, EXPORTS[kind].fileName))]),
  ) as Record<GeneratedKind, ExportRecord[]>
  return { dir, args: parsed.args, result, records }
}

/** Parses a UTF-8 export (BOM or not, LF or CRLF) back into its records. */
export function readExportFile(path: string): ExportRecord[] {
  const parsed = parse(readFileSync(path), { bom: true, columns: true, info: true }) as {
    record: Record<string, string>
    info: { lines: number }
  }[]
  let previousEnd = 1 // the header
  return parsed.map(({ record, info }, index) => {
    const line = previousEnd + 1
    previousEnd = info.lines
    return { record: index + 1, line, fields: record }
  })
}

export type ExpectedReject = { record: number; line: number; field: string }

export type ImportExpectation = {
  /** The rows that must be rejected, in file order. */
  rejects: ExpectedReject[]
  /** Distinct records the file stands for once its rejects are left out. */
  distinct: number
  /** Accepted rows that repeat an earlier accepted row's key. */
  repeats: number
}

/**
 * What the importer should make of a messy export. The deliberate bad rows are known from the
 * generator's own `Rejects` (the same seed gives the same rows): for people, the row of person i
 * comes after the demo personas; a card is rejected when its member is not imported, which covers
 * both the deliberate orphan cards and the cards of a member whose own row was rejected.
 */
export function expectedImport(generated: GeneratedExport): Record<GeneratedKind, ImportExpectation> {
  const rejects = new Rejects(seedNumber(generated.args.seed))
  const counts: Record<GeneratedKind, number> = {
    members: generated.args.members,
    cards: 0,
    buyers: generated.args.buyers,
    employees: generated.args.employees,
    staff: generated.args.warehouse,
  }

  const peopleRejects = (kind: Exclude<GeneratedKind, 'cards'>): ExpectedReject[] => {
    const records = generated.records[kind]
    const demo = generated.result.rows[kind] - counts[kind]
    const found: ExpectedReject[] = []
    for (let i = 0; i < counts[kind]; i++) {
      const patch = rejects.patchFor(kind, i)
      if (!patch) continue
      const row = records[demo + i] as ExportRecord
      // One bad value a row, so the importer's first problem is that field.
      found.push({ record: row.record, line: row.line, field: Object.keys(patch)[0] as string })
    }
    return found
  }

  const expectation = (
    kind: GeneratedKind,
    rejected: ExpectedReject[],
    keyOf: (r: ExportRecord) => string,
  ) => {
    const rejectedRecords = new Set(rejected.map((reject) => reject.record))
    const accepted = generated.records[kind].filter((row) => !rejectedRecords.has(row.record))
    const distinct = new Set(accepted.map(keyOf)).size
    return { rejects: rejected, distinct, repeats: accepted.length - distinct }
  }

  const idOf = (kind: GeneratedKind) => (row: ExportRecord) =>
    normaliseIdentifier(row.fields[ID_COLUMN[kind]] ?? '') ?? ''

  const members = expectation('members', peopleRejects('members'), idOf('members'))
  const rejectedMembers = new Set(members.rejects.map((reject) => reject.record))
  const importedMembers = new Set(
    generated.records.members.filter((row) => !rejectedMembers.has(row.record)).map(idOf('members')),
  )
  const cardRejects = generated.records.cards
    .filter((row) => !importedMembers.has(idOf('cards')(row)))
    .map((row) => ({ record: row.record, line: row.line, field: 'member_id' }))
  const cardKey = (row: ExportRecord) =>
    [
      idOf('cards')(row),
      normaliseCardLast4(row.fields.card_last4 ?? ''),
      normaliseCardExpiry(row.fields.card_expiry ?? ''),
    ].join('|')

  return {
    members,
    cards: expectation('cards', cardRejects, cardKey),
    buyers: expectation('buyers', peopleRejects('buyers'), idOf('buyers')),
    employees: expectation('employees', peopleRejects('employees'), idOf('employees')),
    staff: expectation('staff', peopleRejects('staff'), idOf('staff')),
  }
}

/** Where a haystack holds a needle: each needle is looked for in every haystack. */
export type Hit<Label> = { file: string; offset: number; label: Label }

/**
 * Finds many byte strings (each at least 4 bytes) in large buffers in one pass per buffer: needles are
 * bucketed by their first four bytes, so each position costs one map lookup, and a full comparison
 * only happens where four bytes already match.
 */
export function findNeedles<Label>(
  haystacks: { file: string; bytes: Buffer }[],
  needles: { bytes: Buffer; label: Label }[],
): Hit<Label>[] {
  const buckets = new Map<number, { bytes: Buffer; label: Label }[]>()
  for (const needle of needles) {
    if (needle.bytes.length < 4) throw new Error(`needle shorter than 4 bytes: ${needle.bytes.toString()}`)
    const key = needle.bytes.readUInt32LE(0)
    const bucket = buckets.get(key)
    if (bucket) bucket.push(needle)
    else buckets.set(key, [needle])
  }
  const hits: Hit<Label>[] = []
  for (const { file, bytes } of haystacks) {
    for (let offset = 0; offset + 4 <= bytes.length; offset++) {
      const key =
        ((bytes[offset] as number) |
          ((bytes[offset + 1] as number) << 8) |
          ((bytes[offset + 2] as number) << 16) |
          ((bytes[offset + 3] as number) << 24)) >>>
        0
      const bucket = buckets.get(key)
      if (!bucket) continue
      for (const needle of bucket) {
        const end = offset + needle.bytes.length
        if (end <= bytes.length && bytes.compare(needle.bytes, 0, needle.bytes.length, offset, end) === 0)
          hits.push({ file, offset, label: needle.label })
      }
    }
  }
  return hits
}
