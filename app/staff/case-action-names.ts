/**
 * The actions staff take on a case, shared by the actions page (the `intent`
 * of each form) and the case view, which shows `caseActions.done.<intent>`
 * from staff.json after `?done=<intent>`.
 */
export const CASE_ACTION_INTENTS = [
  'resend-notice',
  'unlock-letter-code',
  'end-sessions',
  'add-note',
  'confirm-identity',
] as const

export type CaseActionIntent = (typeof CASE_ACTION_INTENTS)[number]

export const CASE_ACTION_DONE_KEYS: Record<CaseActionIntent, string> = {
  'resend-notice': 'caseActions.done.resend-notice',
  'unlock-letter-code': 'caseActions.done.unlock-letter-code',
  'end-sessions': 'caseActions.done.end-sessions',
  'add-note': 'caseActions.done.add-note',
  'confirm-identity': 'caseActions.done.confirm-identity',
}

export function isCaseActionIntent(value: unknown): value is CaseActionIntent {
  return typeof value === 'string' && (CASE_ACTION_INTENTS as readonly string[]).includes(value)
}
