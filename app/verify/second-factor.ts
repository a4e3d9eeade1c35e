import { readWrittenDate } from '~/accounts/calendar'
import { fold, normaliseIdentifier, normalisePhone } from '~db/normalise'

/**
 * What a person typed as "date of birth, phone number or staff ID", read
 * every way it could be meant: one field, so the page never asks a question
 * that would tell which cohort a letter code belongs to. Something written as
 * a date that names no real day is only that: `unreadableDate`, to be typed
 * again, tried against nothing.
 */
export type SecondFactor = { birthDate?: string; phone?: string; identifier?: string; unreadableDate?: true }

// No date, phone number or staff ID is longer, however it is spaced: refused before it is folded.
const LONGEST_TYPED = 256

export function readSecondFactor(typed: string): SecondFactor {
  if (typed.length > LONGEST_TYPED) return {}
  const folded = fold(typed)
  const date = readWrittenDate(folded)
  const phone = normalisePhone(folded)
  // A phone number is never a date someone got wrong, however it is hyphenated.
  if (date.read === 'unreadable' && !phone) return { unreadableDate: true }
  return {
    birthDate: date.read === 'date' ? date.iso : undefined,
    phone,
    identifier: normaliseIdentifier(folded),
  }
}
