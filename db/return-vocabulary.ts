/**
 * The words a return request is stored with, apart from the schema so that
 * forms and pages can use them without loading the database layer. Stored as
 * they are: a word may be added, never renamed.
 */

/** Why goods go back: the notice's three cases, the site's closure, or the customer's own words. */
export const RETURN_REASONS = ['damaged', 'wrong_item', 'missing_items', 'could_not_return', 'other'] as const
export type ReturnReason = (typeof RETURN_REASONS)[number]

/** Where a request stands in the staff queue, in the order it usually goes through them. */
export const RETURN_STATUSES = ['new', 'in_progress', 'waiting_for_customer', 'resolved', 'rejected'] as const
export type ReturnStatus = (typeof RETURN_STATUSES)[number]

export const RETURN_EVENT_KINDS = ['filed', 'status_changed', 'customer_note', 'internal_note'] as const
export type ReturnEventKind = (typeof RETURN_EVENT_KINDS)[number]

/**
 * A reference as printed (`RT-7Q4D9-M2X4H`): Crockford symbols only, the
 * check symbol one of the plain 32 (see app/returns/return-reference.server.ts).
 */
export const RETURN_REFERENCE_PATTERN = /^RT-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/

/** A photo's ID, what `newPhotoId` makes: `P` and 32 lower-case hex digits. */
export const RETURN_PHOTO_ID_PATTERN = /^P[0-9a-f]{32}$/
