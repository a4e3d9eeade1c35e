import type { BuyerRow, CardRow, EmployeeRow, MemberRow, StaffRow } from './columns'
import { DEMO_PEOPLE, type DemoAddress, type DemoPerson } from './demo-people'
import type { LegacyHashes } from './legacy-passwords'
import { Rng } from './prng'

/** The demo personas as rows of the five exports, in the order DEMO_PEOPLE lists them. */

const EMPTY_ADDRESS: DemoAddress = {
  postalCode: '',
  prefecture: '',
  city: '',
  addressLine1: '',
  addressLine2: '',
}

function addressColumns(address: DemoAddress = EMPTY_ADDRESS) {
  return {
    postal_code: address.postalCode,
    prefecture: address.prefecture,
    city: address.city,
    address_line1: address.addressLine1,
    address_line2: address.addressLine2,
  }
}

function memberRow(person: DemoPerson & { memberId: string }, hashes: LegacyHashes): MemberRow {
  return {
    member_id: person.memberId,
    registered_at: person.registeredAt ?? '',
    family_name: person.familyName,
    given_name: person.givenName,
    family_name_kana: person.familyNameKana,
    given_name_kana: person.givenNameKana,
    birth_date: person.birthDate ?? '',
    gender: person.gender ?? '',
    email: person.email ?? '',
    phone: person.phone ?? '',
    ...addressColumns(person.address),
    // Demo hashes do not depend on the rng; it only satisfies the signature.
    password_hash: hashes.hashFor(person.memberId, new Rng(0)),
  }
}

function has<K extends keyof DemoPerson>(key: K) {
  return (person: DemoPerson): person is DemoPerson & Required<Pick<DemoPerson, K>> =>
    person[key] !== undefined
}

export function demoMembers(hashes: LegacyHashes): MemberRow[] {
  return DEMO_PEOPLE.filter(has('memberId')).map((person) => memberRow(person, hashes))
}

export function demoCards(): CardRow[] {
  return DEMO_PEOPLE.filter(has('memberId')).flatMap((person) =>
    (person.cards ?? []).map((card) => ({
      member_id: person.memberId,
      card_last4: card.last4,
      card_expiry: card.expiry,
    })),
  )
}

export function demoBuyers(): BuyerRow[] {
  return DEMO_PEOPLE.filter(has('buyerId')).map((person) => ({
    buyer_id: person.buyerId,
    family_name: person.familyName,
    given_name: person.givenName,
    phone: person.phone ?? '',
    ...addressColumns(person.address),
    first_purchase_at: person.firstPurchaseAt ?? '',
    last_purchase_at: person.lastPurchaseAt ?? '',
  }))
}

export function demoEmployees(hashes: LegacyHashes): EmployeeRow[] {
  return DEMO_PEOPLE.filter(has('employeeId')).map((person) => ({
    employee_id: person.employeeId,
    family_name: person.familyName,
    given_name: person.givenName,
    email: person.email ?? '',
    phone: person.phone ?? '',
    password_hash: hashes.hashFor(person.employeeId, new Rng(0)),
  }))
}

export function demoStaff(): StaffRow[] {
  return DEMO_PEOPLE.filter(has('staffId')).map((person) => ({
    staff_id: person.staffId,
    family_name: person.familyName,
    given_name: person.givenName,
  }))
}
