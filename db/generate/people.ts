import { type Address, addressFor } from './addresses'
import type { BuyerRow, CardRow, EmployeeRow, MemberRow, StaffRow } from './columns'
import { civilFromDays, formatDate, formatJstDateTime, jstSeconds } from './dates'
import { emailFor } from './emails'
import { FAMILY_NAMES, type FamilyName, type GivenName, givenNamesFor } from './names'
import { phoneFor } from './phones'
import type { Prefecture } from './prefectures'
import { type Rng, rngAt } from './prng'
import { toRomaji } from './romaji'
import { base36 } from './scramble'
import type { World } from './world'

/**
 * One generated human per cohort row, rebuilt from (seed, row number) alone: see prng.ts. IDs leave
 * room for the demo personas (M00000001.., E00001.., W000001..), which generated IDs never reach.
 */

const REGISTRATION_START = jstSeconds(2007, 12, 4)
/** The breach was detected on 2026-02-10 at 13:00 JST; nothing was recorded after that. */
const DATA_END = jstSeconds(2026, 2, 10) + 13 * 3600
const AUCTION_START = jstSeconds(2018, 11, 19)
const BIRTH_START_DAY = Date.UTC(1930, 0, 1) / 86_400_000
const BIRTH_END_DAY = Date.UTC(2008, 11, 31) / 86_400_000
const SECONDS_PER_YEAR = 365.25 * 86400
const MIN_AGE_AT_REGISTRATION = 16

export const BUYER_MEMBER_SHARE = 0.2
const NO_EMAIL_SHARE = 0.1
const NO_PHONE_SHARE = 0.05

export interface GeneratedMember {
  row: MemberRow
  cards: CardRow[]
}

const romajiCache = new Map<string, string>()
function romaji(kana: string): string {
  let value = romajiCache.get(kana)
  if (value === undefined) {
    value = toRomaji(kana)
    romajiCache.set(kana, value)
  }
  return value
}

function between(rng: Rng, from: number, to: number): number {
  return from + Math.floor(rng.next() * (to - from))
}

/** Mostly people born in the 1960s–80s: the mean of two uniform draws. */
function birthDay(rng: Rng): number {
  const r = (rng.next() + rng.next()) / 2
  return BIRTH_START_DAY + Math.floor(r * (BIRTH_END_DAY - BIRTH_START_DAY + 1))
}

/** ISO/IEC 5218, never contradicting a name the list knows; a few unknown, not applicable or empty. */
function genderFor(given: GivenName, rng: Rng): string {
  const r = rng.next()
  if (r < 0.04) return ''
  if (r < 0.06) return '0'
  if (r < 0.07) return '9'
  if (given.gender === 'u') return rng.chance(0.5) ? '1' : '2'
  return given.gender === 'm' ? '1' : '2'
}

interface Name {
  family: FamilyName
  given: GivenName
}

function nameFor(rng: Rng, birthYear: number): Name {
  return { family: rng.pickSkewed(FAMILY_NAMES), given: rng.pick(givenNamesFor(birthYear)) }
}

function emailOf(args: { world: World; name: Name; person: number; rng: Rng; domain?: string }): string {
  const { name, rng } = args
  return emailFor({
    family: romaji(name.family.kana),
    given: romaji(name.given.kana),
    person: args.person,
    tokens: args.world.emailTokens,
    rng,
    domain: args.domain,
  })
}

function cardsFor(memberId: string, rng: Rng): CardRow[] {
  const r = rng.next()
  const count = r < 0.3 ? 0 : r < 0.7 ? 1 : r < 0.9 ? 2 : 3
  const cards: CardRow[] = []
  for (let i = 0; i < count; i++) {
    // 2023–2031: about a third had expired by the breach
    const expiry = `${String(rng.between(1, 12)).padStart(2, '0')}/${rng.between(23, 31)}`
    cards.push({
      member_id: memberId,
      card_last4: String(rng.int(10000)).padStart(4, '0'),
      card_expiry: expiry,
    })
  }
  return cards
}

function addressColumns(address: Address) {
  return {
    postal_code: address.postalCode,
    prefecture: address.prefecture.name,
    city: address.city,
    address_line1: address.addressLine1,
    address_line2: address.addressLine2,
  }
}

/** Some people never gave a phone number: nothing of theirs can be exposed there. */
function maybePhone(args: {
  world: World
  person: number
  prefecture: Prefecture
  birthYear: number
  rng: Rng
}): string {
  const { world, rng, ...who } = args
  return rng.chance(NO_PHONE_SHARE) ? '' : phoneFor({ book: world.phones, rng, ...who })
}

export function memberIdOf(index: number): string {
  return `M${10_000_001 + index}`
}

export function buildMember(world: World, index: number): GeneratedMember {
  const rng = rngAt(world.streams.member, index)
  const memberId = memberIdOf(index)
  const birth = birthDay(rng)
  const birthDate = civilFromDays(birth)
  const name = nameFor(rng, birthDate.year)
  const earliest = Math.max(REGISTRATION_START, birth * 86400 + MIN_AGE_AT_REGISTRATION * SECONDS_PER_YEAR)
  const address = addressFor(rng)
  const row: MemberRow = {
    member_id: memberId,
    registered_at: formatJstDateTime(between(rng, earliest, DATA_END)),
    family_name: name.family.kanji,
    given_name: name.given.kanji,
    family_name_kana: name.family.kana,
    given_name_kana: name.given.kana,
    birth_date: formatDate(birthDate),
    gender: genderFor(name.given, rng),
    email: rng.chance(NO_EMAIL_SHARE) ? '' : emailOf({ world, name, person: index, rng }),
    phone: maybePhone({
      world,
      person: index,
      prefecture: address.prefecture,
      birthYear: birthDate.year,
      rng,
    }),
    ...addressColumns(address),
    password_hash: world.hashes.hashFor(memberId, rng),
  }
  return { row, cards: cardsFor(memberId, rng) }
}

/** A member with a phone to share, near the drawn one; undefined when no member has a phone. */
function memberWithPhone(world: World, rng: Rng): MemberRow | undefined {
  const start = rng.int(world.counts.members)
  for (let step = 0; step < Math.min(50, world.counts.members); step++) {
    const member = buildMember(world, (start + step) % world.counts.members).row
    if (member.phone) return member
  }
  return undefined
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789'

/** yb_ + 10 characters: a unique token interleaved with random ones, so IDs look random but never repeat. */
function buyerIdOf(world: World, index: number, rng: Rng): string {
  const token = base36(world.buyerTokens.apply(index), 5)
  let id = 'yb_'
  for (let i = 0; i < 5; i++) id += ALPHANUMERIC.charAt(rng.int(ALPHANUMERIC.length)) + token.charAt(i)
  return id
}

function purchaseDates(rng: Rng): { first_purchase_at: string; last_purchase_at: string } {
  const first = between(rng, AUCTION_START, DATA_END)
  const last = rng.chance(0.3) ? first : between(rng, first, DATA_END)
  return { first_purchase_at: formatJstDateTime(first), last_purchase_at: formatJstDateTime(last) }
}

/** About one buyer in five is also a member: the same human, so the same name and phone. */
export function buildBuyer(world: World, index: number): BuyerRow {
  const rng = rngAt(world.streams.buyer, index)
  const buyerId = buyerIdOf(world, index, rng)
  const member =
    world.counts.members > 0 && rng.chance(BUYER_MEMBER_SHARE) ? memberWithPhone(world, rng) : undefined
  const address = addressFor(rng)
  const dates = purchaseDates(rng)
  if (member) {
    const moved = rng.chance(0.3)
    const where = moved ? addressColumns(address) : pickAddress(member)
    return {
      buyer_id: buyerId,
      family_name: member.family_name,
      given_name: member.given_name,
      phone: member.phone,
      ...where,
      ...dates,
    }
  }
  const name = nameFor(rng, rng.between(1940, 2005))
  const person = world.counts.members + index
  const phone = phoneFor({ book: world.phones, person, prefecture: address.prefecture, birthYear: 1980, rng })
  return {
    buyer_id: buyerId,
    family_name: name.family.kanji,
    given_name: name.given.kanji,
    phone,
    ...addressColumns(address),
    ...dates,
  }
}

function pickAddress(member: MemberRow) {
  const { postal_code, prefecture, city, address_line1, address_line2 } = member
  return { postal_code, prefecture, city, address_line1, address_line2 }
}

export function buildEmployee(world: World, index: number): EmployeeRow {
  const rng = rngAt(world.streams.employee, index)
  const employeeId = `E${10_001 + index}`
  const name = nameFor(rng, rng.between(1960, 2003))
  const person = world.counts.members + world.counts.buyers + index
  const address = addressFor(rng)
  return {
    employee_id: employeeId,
    family_name: name.family.kanji,
    given_name: name.given.kanji,
    email: emailOf({ world, name, person, rng, domain: 'example.co.jp' }),
    phone: maybePhone({ world, person, prefecture: address.prefecture, birthYear: 1980, rng }),
    password_hash: world.hashes.hashFor(employeeId, rng),
  }
}

export function buildStaff(world: World, index: number): StaffRow {
  const rng = rngAt(world.streams.staff, index)
  const name = nameFor(rng, rng.between(1950, 2006))
  return { staff_id: `W${100_001 + index}`, family_name: name.family.kanji, given_name: name.given.kanji }
}
