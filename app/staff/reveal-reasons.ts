/** Why a value may be revealed, as the form lists them; shared with the browser (the server's check is `REVEAL_REASONS`). */
export const REVEAL_REASONS_SHOWN = ['caller_verified', 'returned_mail', 'legal_request', 'other'] as const
