import { randomSymbols } from '~/codes/crockford'
import { STAFF_ID_SYMBOLS } from '~db/staff-members'

export { STAFF_ID_PATTERN } from '~db/staff-members'

/** A new staff ID (the shape and why: STAFF_ID_PATTERN in db/staff-members.ts). */
export function newStaffId() {
  return `S${randomSymbols(STAFF_ID_SYMBOLS)}`
}
