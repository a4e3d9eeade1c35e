import { createHash } from 'node:crypto'
import { z } from 'zod'
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from './audit-vocabulary'
import { RETURN_PHOTO_ID_PATTERN, RETURN_REFERENCE_PATTERN } from './return-vocabulary'
import { STAFF_ID_PATTERN } from './staff-members'

/**
 * One audit entry as a caller gives it, checked so that nothing personal can
 * get in, and the hash that chains it to the entry before. The chain is only
 * as good as its serialisation: it must give the same bytes for the same
 * entry on any backend and in any later version, so it is spelt out here
 * rather than left to a JSON library's key order.
 */

export const AUDIT_HASH_BYTES = 32
/** What the first entry follows. */
export const GENESIS_HASH = Buffer.alloc(AUDIT_HASH_BYTES)

// A token: a field name, a reason code, a command. Lower-case first, so no
// digit string (a phone number, a card) and no capitalised name fits; no '@',
// no space, so neither an address nor free text does.
const TOKEN = /^[a-z][a-zA-Z0-9_.:-]{0,63}$/
const token = () => z.string().max(64, { abort: true }).regex(TOKEN, 'not a token')

// A case is the portal's own human ID, a positive integer, never a legacy member number;
// a staff member is their random public ID (`S` and 10 symbols), never an e-mail or a name.
const rowId = () => z.number().int().positive().max(Number.MAX_SAFE_INTEGER)
const staffId = () => z.string().max(11, { abort: true }).regex(STAFF_ID_PATTERN, 'not a staff ID')
// A return request is its random RT- reference, never the customer's number or address.
const returnReference = () =>
  z.string().max(14, { abort: true }).regex(RETURN_REFERENCE_PATTERN, 'not a return reference')

const MAX_DETAIL_KEYS = 16
const MAX_LIST_LENGTH = 16
/** Counts, durations in seconds, ordinal numbers: nothing the size of a phone number. */
export const MAX_DETAIL_NUMBER = 1_000_000

const detailValue = z.union([
  token(),
  // A return photo's random ID (`P` and 32 hex digits): a name for bytes, nothing about a person.
  z.string().max(33, { abort: true }).regex(RETURN_PHOTO_ID_PATTERN, 'not a photo ID'),
  z.number().int().min(0).max(MAX_DETAIL_NUMBER),
  z.boolean(),
  z.array(token()).max(MAX_LIST_LENGTH, { abort: true }),
])

export type AuditDetailValue = string | number | boolean | string[]
export type AuditDetail = Record<string, AuditDetailValue>

/** Field names, reason codes, counts: a small flat object of tokens, small integers and booleans. */
export const auditDetailSchema = z
  .custom<Record<string, unknown>>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      Object.getPrototypeOf(value) === Object.prototype &&
      Object.keys(value).length <= MAX_DETAIL_KEYS,
    { message: `detail must be a plain object of at most ${MAX_DETAIL_KEYS} keys`, abort: true },
  )
  .pipe(z.record(token(), detailValue))

export const auditActorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('staff'), id: staffId() }),
  // A customer is named by their human ID, as their case is.
  z.strictObject({ kind: z.literal('customer'), id: rowId() }),
  // The portal itself: the command or job that acted (`staff:create`, `housekeeping`).
  z.strictObject({ kind: z.literal('system'), id: token() }),
])

export const auditTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('case'), id: rowId() }),
  z.strictObject({ kind: z.literal('staff'), id: staffId() }),
  // A return request, by its RT- reference: a random identifier, never personal data.
  z.strictObject({ kind: z.literal('return'), id: returnReference() }),
])

export const auditEntryInputSchema = z.strictObject({
  actor: auditActorSchema,
  action: z.enum(AUDIT_ACTIONS),
  target: auditTargetSchema.optional(),
  outcome: z.enum(AUDIT_OUTCOMES),
  /** The client IP's keyed hash (`clientIpIndex`), when a request caused the entry. */
  clientIpIndex: z.instanceof(Buffer).optional(),
  detail: auditDetailSchema.default({}),
})

export type AuditEntryInput = z.input<typeof auditEntryInputSchema>

/** An entry as stored: what was given, with its place in the chain. */
export type AuditEntry = {
  sequence: number
  at: number
  actor: z.output<typeof auditActorSchema>
  action: z.output<typeof auditEntryInputSchema>['action']
  target: z.output<typeof auditTargetSchema> | null
  outcome: z.output<typeof auditEntryInputSchema>['outcome']
  clientIpIndex: Buffer | null
  detail: AuditDetail
  previousHash: Buffer
  hash: Buffer
}

export type AuditEntryContent = Omit<AuditEntry, 'previousHash' | 'hash'>

/**
 * The bytes an entry's hash covers: a version tag and every field in a fixed
 * order, the detail's keys sorted, IDs as text (a customer 12 and a command
 * "12" cannot meet, the kind is beside them). JSON of an array of strings,
 * numbers and booleans is the same in every JavaScript engine.
 */
export function canonicalAuditContent(entry: AuditEntryContent): string {
  return JSON.stringify([
    'audit-v1',
    entry.sequence,
    entry.at,
    entry.actor.kind,
    String(entry.actor.id),
    entry.action,
    entry.target?.kind ?? null,
    entry.target ? String(entry.target.id) : null,
    entry.outcome,
    entry.clientIpIndex ? entry.clientIpIndex.toString('hex') : null,
    canonicalDetail(entry.detail),
  ])
}

/** The detail as stored and hashed: keys in code-unit order, so a backend's own JSON order cannot matter. */
export function canonicalDetail(detail: AuditDetail): string {
  const sorted = Object.keys(detail)
    .sort()
    .map((key) => [key, detail[key]])
  return JSON.stringify(Object.fromEntries(sorted))
}

/** SHA-256 over the previous entry's hash and this entry's canonical content. */
export function auditEntryHash(previousHash: Buffer, entry: AuditEntryContent): Buffer {
  return createHash('sha256').update(previousHash).update(canonicalAuditContent(entry), 'utf8').digest()
}
