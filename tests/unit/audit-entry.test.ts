import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  type AuditEntryContent,
  auditDetailSchema,
  auditEntryHash,
  auditEntryInputSchema,
  canonicalAuditContent,
  GENESIS_HASH,
} from '~db/audit-entry'

const content: AuditEntryContent = {
  sequence: 7,
  at: 1_796_400_000_000,
  actor: { kind: 'staff', id: 'S0000000012' },
  action: 'case.field_revealed',
  target: { kind: 'case', id: 345 },
  outcome: 'success',
  clientIpIndex: Buffer.alloc(16, 0xab),
  detail: { field: 'email', reason: 'caller_verified', records: 2 },
}

describe('the chain hash', () => {
  it('is SHA-256 over the previous hash and the canonical content, fields in a fixed order', () => {
    const previous = randomBytes(32)
    const expected = createHash('sha256')
      .update(previous)
      .update(
        JSON.stringify([
          'audit-v1',
          7,
          1_796_400_000_000,
          'staff',
          'S0000000012',
          'case.field_revealed',
          'case',
          '345',
          'success',
          'ab'.repeat(16),
          '{"field":"email","reason":"caller_verified","records":2}',
        ]),
      )
      .digest()
    expect(auditEntryHash(previous, content)).toEqual(expected)
  })

  it("does not depend on the order the detail's keys were given in", () => {
    const reordered = { ...content, detail: { records: 2, reason: 'caller_verified', field: 'email' } }
    expect(canonicalAuditContent(reordered)).toBe(canonicalAuditContent(content))
  })

  it('changes with the previous hash and with every field of the entry', () => {
    const base = auditEntryHash(GENESIS_HASH, content).toString('hex')
    const variants: AuditEntryContent[] = [
      { ...content, sequence: 8 },
      { ...content, at: content.at + 1 },
      { ...content, actor: { kind: 'customer', id: 12 } },
      { ...content, actor: { kind: 'system', id: '12' } },
      { ...content, action: 'case.opened' },
      { ...content, target: { kind: 'staff', id: 'S0000000345' } },
      { ...content, target: null },
      { ...content, outcome: 'denied' },
      { ...content, clientIpIndex: null },
      { ...content, detail: { ...content.detail, records: 3 } },
    ]
    const hashes = variants.map((variant) => auditEntryHash(GENESIS_HASH, variant).toString('hex'))
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1)
    expect(auditEntryHash(Buffer.alloc(32, 1), content).toString('hex')).not.toBe(base)
  })
})

describe('what an entry may say', () => {
  const accepted = (detail: unknown) => auditDetailSchema.safeParse(detail).success

  it('takes field names, reason codes, small counts, flags and lists of field names', () => {
    expect(
      accepted({
        field: 'email',
        reason: 'caller_verified',
        kind: 'kana-birth',
        hits: 3,
        stepUp: true,
        changed: ['phone', 'address.line1'],
      }),
    ).toBe(true)
    expect(accepted({})).toBe(true)
  })

  it("takes a return photo's random ID, and nothing else shaped like it", () => {
    expect(accepted({ photo: `P${'0123456789abcdef'.repeat(2)}` })).toBe(true)
    expect(accepted({ photo: `P${'0123456789ABCDEF'.repeat(2)}` })).toBe(false)
    expect(accepted({ photo: `P${'0'.repeat(31)}` })).toBe(false)
    expect(accepted({ photo: 'Parcel from Hanako' })).toBe(false)
  })

  it.each([
    ['an e-mail address', { searched: 'hanako.mihon@example.jp' }],
    ['free text', { note: 'called about her parcel' }],
    ['a capitalised name', { name: 'Tanaka' }],
    ['a name in kana', { name: 'みほん' }],
    ['a phone number as text', { phone: '09012345678' }],
    ['a phone number as a number', { phone: 9_012_345_678 }],
    ['a member number', { member: 'M000123' }],
    ['a negative or fractional number', { count: -1 }],
    ['a fraction', { count: 1.5 }],
    ['a nested object', { address: { city: 'chiyoda' } }],
    ['null', { value: null }],
    ['free text in a list', { changed: ['phone', 'new address 1-2-3'] }],
    ['a personal key', { 'hanako@example.jp': true }],
    ['a key with a space', { 'the reason': 'other' }],
    ['a long token', { reason: `a${'b'.repeat(64)}` }],
    ['more than 16 keys', Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]))],
    ['a list of more than 16', { changed: Array.from({ length: 17 }, () => 'phone') }],
    ['not an object', 'email'],
    ['an array', ['email']],
  ])('refuses %s', (_, detail) => {
    expect(accepted(detail)).toBe(false)
  })

  it('refuses a 64 KiB value on its length alone: the pattern never reads it', () => {
    const result = auditDetailSchema.safeParse({ reason: `a${'a@'.repeat(32 * 1024)}` })
    expect(result.success).toBe(false)
    const codes = JSON.stringify(result.error?.issues)
    expect(codes).toContain('too_big')
    expect(codes).not.toContain('invalid_format')
  })

  it('names actors and targets by the portal’s own IDs or a command name, never by a value', () => {
    const entry = (actor: unknown, target?: unknown) =>
      auditEntryInputSchema.safeParse({ actor, target, action: 'staff.created', outcome: 'success' }).success
    expect(entry({ kind: 'staff', id: 'S0000000003' }, { kind: 'staff', id: 'S00000000Z4' })).toBe(true)
    expect(entry({ kind: 'customer', id: 3 }, { kind: 'case', id: 3 })).toBe(true)
    expect(entry({ kind: 'staff', id: 3 })).toBe(false)
    expect(entry({ kind: 'staff', id: 's0000000003' })).toBe(false)
    expect(entry({ kind: 'system', id: 'staff:create' })).toBe(true)
    expect(entry({ kind: 'staff', id: 'hanako@example.jp' })).toBe(false)
    expect(entry({ kind: 'customer', id: 0 })).toBe(false)
    expect(entry({ kind: 'system', id: 'Hanako Mihon' })).toBe(false)
    expect(entry({ kind: 'staff', id: 'S0000000003', email: 'hanako@example.jp' })).toBe(false)
    expect(entry({ kind: 'staff', id: 'S0000000003' }, { kind: 'case', id: 'M000123' })).toBe(false)
    // A return request by its random RT- reference, never by what the customer typed.
    expect(entry({ kind: 'staff', id: 'S0000000003' }, { kind: 'return', id: 'RT-7Q4D9-M2X4H' })).toBe(true)
    expect(entry({ kind: 'staff', id: 'S0000000003' }, { kind: 'return', id: 'rt-7q4d9-m2x4h' })).toBe(false)
    expect(entry({ kind: 'staff', id: 'S0000000003' }, { kind: 'return', id: 'SK20260114-88231' })).toBe(
      false,
    )
    expect(entry({ kind: 'staff', id: 'S0000000003' }, { kind: 'return', id: 12 })).toBe(false)
    expect(
      auditEntryInputSchema.safeParse({
        actor: { kind: 'staff', id: 'S0000000003' },
        action: 'staff.looked_around',
        outcome: 'success',
      }).success,
    ).toBe(false)
  })
})
