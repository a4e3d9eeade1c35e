import type { Prefecture } from './prefectures'
import type { Rng } from './prng'
import { type Scramble, scrambleFor } from './scramble'

/**
 * Japanese phone numbers in their canonical form (090-1234-5678, 03-1234-5678, 011-234-5678).
 * The subscriber digits come from a scramble of the person's position among all people, so
 * numbers never repeat between different people (see scramble.ts); mobiles always start their
 * middle group with 1–9, which keeps 090-0000-xxxx free for the demo personas.
 */
export interface PhoneBook {
  mobile: Scramble
  /** By count of local digits: 8 after 03/06, 7 after 0xx, 6 after 0xxx. */
  local: Record<number, Scramble>
}

export function phoneBookFor(rng: Rng): PhoneBook {
  return {
    mobile: scrambleFor(90_000_000, rng),
    local: { 8: scrambleFor(80_000_000, rng), 7: scrambleFor(8_000_000, rng), 6: scrambleFor(800_000, rng) },
  }
}

const MOBILE_PREFIXES = ['090', '090', '090', '080', '080', '070'] as const

function mobile(args: { book: PhoneBook; person: number; rng: Rng }): string {
  const digits = String(10_000_000 + args.book.mobile.apply(args.person))
  return `${args.rng.pick(MOBILE_PREFIXES)}-${digits.slice(0, 4)}-${digits.slice(4)}`
}

function localScramble(book: PhoneBook, prefecture: Prefecture): Scramble {
  return book.local[10 - prefecture.areaCode.length] as Scramble
}

/** Subscriber numbers start with 2–9; the total is always ten digits. */
function landline(args: { book: PhoneBook; person: number; prefecture: Prefecture }): string {
  const area = args.prefecture.areaCode
  const localLength = 10 - area.length
  const scramble = localScramble(args.book, args.prefecture)
  const digits = String(2 * 10 ** (localLength - 1) + scramble.apply(args.person))
  const exchange = digits.slice(0, localLength - 4)
  return `${area}-${exchange}-${digits.slice(-4)}`
}

export function phoneFor(args: {
  book: PhoneBook
  person: number
  prefecture: Prefecture
  birthYear: number
  rng: Rng
}): string {
  const landlineShare = args.birthYear < 1960 ? 0.45 : 0.15
  // Beyond a short area code's number space a landline could repeat another person's: they get a mobile
  const fits = args.person < localScramble(args.book, args.prefecture).modulus
  return args.rng.chance(landlineShare) && fits ? landline(args) : mobile(args)
}
