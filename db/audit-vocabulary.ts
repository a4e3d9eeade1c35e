/**
 * What the audit log can say, in one place: who acts, what they do, on what,
 * and how it ended. The words are stored as they are and hashed into the
 * chain, so a word may be added but never renamed or reused for another
 * meaning (old entries would then read differently, or stop verifying).
 */

export const AUDIT_ACTOR_KINDS = ['staff', 'customer', 'system'] as const
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number]

/**
 * `case` is a human (the ID their linked records share), `staff` a staff
 * member, `return` a return request (its RT- reference).
 */
export const AUDIT_TARGET_KINDS = ['case', 'staff', 'return'] as const
export type AuditTargetKind = (typeof AUDIT_TARGET_KINDS)[number]

/** `denied`: refused by a rule (role, budget, lock) rather than failed by a wrong secret. */
export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number]

export const AUDIT_ACTIONS = [
  // Staff sign-in and sessions.
  'staff.sign_in',
  'staff.sign_in_mfa',
  'staff.locked',
  'staff.signed_out',
  'staff.step_up',
  // A staff member's own credentials.
  'staff.password_changed',
  'staff.mfa_enrolled',
  'staff.mfa_reset',
  'staff.passkey_registered',
  'staff.passkey_removed',
  'staff.recovery_code_used',
  'staff.recovery_codes_renewed',
  // Staff accounts, by a supervisor or the staff command.
  'staff.created',
  'staff.disabled',
  'staff.role_changed',
  'staff.passkey_required',
  // Case work.
  'case.searched',
  'case.opened',
  'case.field_revealed',
  'case.notice_resent',
  'case.letter_code_unlocked',
  'case.sessions_ended',
  'case.note_added',
  'case.identity_confirmed',
  'case.budget_exceeded',
  // Return requests: filed by a customer; listed, opened, looked at and worked by staff.
  'return.filed',
  'return.queue_viewed',
  'return.opened',
  'return.photo_viewed',
  'return.status_changed',
  'return.note_added',
  // The audit itself and the figures that leave the portal.
  'audit.viewed',
  'audit.exported',
  'report.exported',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]
