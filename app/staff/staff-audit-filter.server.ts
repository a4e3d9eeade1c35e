import { z } from 'zod'
import { japanDayEnd, japanDayStart } from '~/i18n/date-format'
import type { AuditLogFilter } from '~db/audit-log'
import { AUDIT_ACTIONS } from '~db/audit-vocabulary'
import { RETURN_REFERENCE_PATTERN } from '~db/return-requests'
import { STAFF_ID_PATTERN } from '~db/staff-members'
import {
  AUDIT_FIELD_MAX,
  AUDIT_FILTER_FIELDS,
  type AuditFilterField,
  type AuditFilterTyped,
} from './staff-audit-fields'

/**
 * The audit page's query string read into a filter: who acted, what, on
 * what, between which days in Japan time, and where the page starts. Every
 * value is bounded first and refused (with an i18n key) before a pattern
 * sees it, as forms are (~/forms/bounded-form). An empty field filters
 * nothing, so the form can send every field every time.
 */

// The same shape as the log's own tokens (db/audit-entry.ts): a command or job's name.
const SYSTEM_NAME = /^[a-z][a-zA-Z0-9_.:-]{0,63}$/
const DIGITS = /^[0-9]{1,15}$/

type Actor = NonNullable<AuditLogFilter['actor']>
type Target = NonNullable<AuditLogFilter['target']>

/** A staff ID as typed: Crockford symbols read the same in either case. */
function staffIdOf(text: string) {
  const id = text.toUpperCase()
  return STAFF_ID_PATTERN.test(id) ? id : undefined
}

function humanIdOf(text: string) {
  if (!DIGITS.test(text)) return undefined
  const id = Number(text)
  return id > 0 ? id : undefined
}

/**
 * `S…` or `staff:S…` (a staff member), `system:name` (a command or job),
 * `customer:123` (a customer by human ID), or a kind alone for all its entries:
 * the forms the table shows, so a cell can be copied into the box.
 */
function actorOf(text: string): Actor | undefined {
  if (text === 'staff' || text === 'system' || text === 'customer') return { kind: text }
  const [kind, id = ''] = text.includes(':') ? splitOnce(text) : ['staff', text]
  if (kind === 'staff') {
    const staffId = staffIdOf(id)
    return staffId ? { kind, id: staffId } : undefined
  }
  if (kind === 'system') return SYSTEM_NAME.test(id) ? { kind, id } : undefined
  if (kind === 'customer') {
    const humanId = humanIdOf(id)
    return humanId ? { kind, id: humanId } : undefined
  }
  return undefined
}

/**
 * `123` or `case:123` (a human's case), `S…` or `staff:S…` (a staff account),
 * `RT-…` or `return:RT-…` (a return request), or a kind alone.
 */
function targetOf(text: string): Target | undefined {
  if (text === 'case' || text === 'staff' || text === 'return') return { kind: text }
  const [kind, id = ''] = text.includes(':') ? splitOnce(text) : [implicitTargetKind(text), text]
  if (kind === 'return') {
    const reference = id.toUpperCase()
    return RETURN_REFERENCE_PATTERN.test(reference) ? { kind, id: reference } : undefined
  }
  if (kind === 'case') {
    const humanId = humanIdOf(id)
    return humanId ? { kind, id: humanId } : undefined
  }
  if (kind === 'staff') {
    const staffId = staffIdOf(id)
    return staffId ? { kind, id: staffId } : undefined
  }
  return undefined
}

function implicitTargetKind(text: string) {
  if (DIGITS.test(text)) return 'case'
  return text.toUpperCase().startsWith('RT-') ? 'return' : 'staff'
}

function splitOnce(text: string): [string, string] {
  const at = text.indexOf(':')
  return [text.slice(0, at).toLowerCase(), text.slice(at + 1)]
}

/** A bounded, trimmed text; `read` turns it into a value or refuses it with `message`. */
function field<T>(max: number, message: string, read: (text: string) => T | undefined) {
  return z
    .string()
    .max(max, { error: message, abort: true })
    .transform((raw, context): T | undefined => {
      const text = raw.trim()
      if (text === '') return undefined
      const value = read(text)
      if (value === undefined) {
        context.issues.push({ code: 'custom', message, input: raw })
        return z.NEVER
      }
      return value
    })
}

const ACTIONS: ReadonlySet<string> = new Set(AUDIT_ACTIONS)

const querySchema = z
  .object({
    actor: field(AUDIT_FIELD_MAX.actor, 'audit.errors.actor', actorOf),
    action: field(AUDIT_FIELD_MAX.action, 'audit.errors.action', (text) =>
      ACTIONS.has(text) ? (text as (typeof AUDIT_ACTIONS)[number]) : undefined,
    ),
    target: field(AUDIT_FIELD_MAX.target, 'audit.errors.target', targetOf),
    from: field(AUDIT_FIELD_MAX.from, 'audit.errors.date', japanDayStart),
    // A "to" day is included whole: the filter ends when the next day begins.
    to: field(AUDIT_FIELD_MAX.to, 'audit.errors.date', japanDayEnd),
    before: field(AUDIT_FIELD_MAX.before, 'audit.errors.page', humanIdOf),
    after: field(AUDIT_FIELD_MAX.after, 'audit.errors.page', humanIdOf),
  })
  .superRefine((query, context) => {
    if (query.from !== undefined && query.to !== undefined && query.from >= query.to) {
      context.addIssue({ code: 'custom', path: ['to'], message: 'audit.errors.range' })
    }
  })

export type AuditQuery =
  | { ok: true; typed: AuditFilterTyped; filter: AuditLogFilter; before?: number; after?: number }
  | { ok: false; typed: AuditFilterTyped; errors: Partial<Record<AuditFilterField | 'page', string>> }

/** Reads the page's query string; only the first value of each field counts, as a form sends one. */
export function readAuditQuery(params: URLSearchParams): AuditQuery {
  const raw = (name: string) => params.get(name) ?? ''
  const typed = Object.fromEntries(AUDIT_FILTER_FIELDS.map((name) => [name, raw(name)])) as AuditFilterTyped
  const parsed = querySchema.safeParse({ ...typed, before: raw('before'), after: raw('after') })
  if (!parsed.success) {
    const errors: Partial<Record<AuditFilterField | 'page', string>> = {}
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0])
      const key = name === 'before' || name === 'after' ? 'page' : (name as AuditFilterField)
      errors[key] ??= issue.message
    }
    // What was typed is shown again, but never more of it than the field takes.
    const shown = Object.fromEntries(
      AUDIT_FILTER_FIELDS.map((name) => [name, typed[name].slice(0, AUDIT_FIELD_MAX[name])]),
    ) as AuditFilterTyped
    return { ok: false, typed: shown, errors }
  }
  const { actor, action, target, from, to, before, after } = parsed.data
  const filter: AuditLogFilter = {}
  if (actor) filter.actor = actor
  if (action) filter.action = action
  if (target) filter.target = target
  if (from !== undefined) filter.from = from
  if (to !== undefined) filter.until = to
  return { ok: true, typed, filter, before, after }
}

/** The filter fields in use, by name: what an export's audit entry may say about its filter. */
export function filterFieldsInUse(typed: AuditFilterTyped): AuditFilterField[] {
  return AUDIT_FILTER_FIELDS.filter((name) => typed[name].trim() !== '')
}

/** The query of a link that keeps the filter: only the fields in use, trimmed. */
export function filterQuery(typed: AuditFilterTyped, extra: Record<string, string | number> = {}) {
  const params = new URLSearchParams()
  for (const name of filterFieldsInUse(typed)) params.set(name, typed[name].trim())
  for (const [name, value] of Object.entries(extra)) params.set(name, String(value))
  const query = params.toString()
  return query ? `?${query}` : ''
}
