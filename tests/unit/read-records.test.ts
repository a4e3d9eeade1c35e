import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  parseQuotedRecords,
  type RecordPosition,
  readRecords,
  splitPlainRecords,
} from '~db/import/read-records'

type Visit = { fields?: Record<string, string>; position: RecordPosition; reason?: string }

function visits(read: typeof readRecords, text: string, columns: string[]) {
  const seen: Visit[] = []
  read(text, columns, {
    record: (fields, position) => seen.push({ fields, position }),
    malformed: (position, reason) => seen.push({ position, reason }),
  })
  return seen
}

const COLUMNS = ['id', 'name', 'phone']
const plainField = fc.stringMatching(/^[^",\r\n]{0,6}$/)
const plainLine = fc.oneof(
  fc.constant(''),
  fc.array(plainField, { minLength: 3, maxLength: 3 }).map((fields) => fields.join(',')),
  fc.array(plainField, { minLength: 1, maxLength: 5 }).map((fields) => fields.join(',')),
)

describe('reading the records of a chunk', () => {
  it('splits quote-free chunks into exactly the records, positions and errors csv-parse gives', () => {
    fc.assert(
      fc.property(
        fc.array(plainLine, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        (lines, newline, endsWithNewline) => {
          const text = lines.join(newline) + (endsWithNewline ? newline : '')
          expect(visits(splitPlainRecords, text, COLUMNS)).toEqual(visits(parseQuotedRecords, text, COLUMNS))
        },
      ),
    )
  })

  it('numbers physical lines across empty lines and reports a short row', () => {
    expect(visits(readRecords, 'A1,見本,090\n\nA2,例示\nA3,架空,080\n', COLUMNS)).toEqual([
      { fields: { id: 'A1', name: '見本', phone: '090' }, position: { record: 1, line: 1 } },
      { position: { record: 2, line: 3 }, reason: 'wrong number of fields' },
      { fields: { id: 'A3', name: '架空', phone: '080' }, position: { record: 3, line: 4 } },
    ])
  })

  it('leaves quoted fields, with their commas and line breaks, to csv-parse', () => {
    expect(visits(readRecords, 'A1,"見本, 花子","090\n1234"\nA2,x,y\n', COLUMNS)).toEqual([
      { fields: { id: 'A1', name: '見本, 花子', phone: '090\n1234' }, position: { record: 1, line: 1 } },
      { fields: { id: 'A2', name: 'x', phone: 'y' }, position: { record: 2, line: 3 } },
    ])
  })
})
