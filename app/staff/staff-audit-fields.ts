/**
 * The audit page's query fields and their bounds, shared by the form (as
 * `maxLength`) and the server's reader (checked before any pattern runs).
 */

export const AUDIT_FILTER_FIELDS = ['actor', 'action', 'target', 'from', 'to'] as const
export type AuditFilterField = (typeof AUDIT_FILTER_FIELDS)[number]

/** The longest value each field takes: `system:` and a 64-character command name; a staff ID; a date. */
export const AUDIT_FIELD_MAX = {
  actor: 80,
  action: 40,
  target: 30,
  from: 10,
  to: 10,
  before: 16,
  after: 16,
} as const

/** What was typed into the form, as the page shows it again (an absent field is ''). */
export type AuditFilterTyped = Record<AuditFilterField, string>
