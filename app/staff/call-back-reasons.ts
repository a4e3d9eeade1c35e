/**
 * Why a caller's identity was confirmed by calling back the phone number on
 * file, as the form lists them; shared with the browser (the server checks
 * the same list against the table's reasons in case-call-back.server.ts).
 */
export const CALL_BACK_REASONS_SHOWN = ['letter-lost', 'elderly-caller', 'no-email-access', 'other'] as const

/** The longest "other" reason, in characters as posted. */
export const CALL_BACK_REASON_TEXT_MAX = 500
