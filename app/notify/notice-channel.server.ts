import { EXPOSURE_CATEGORIES, type ExposureCategory } from '~db/exposure-categories'
import type { Human, HumanRecord } from '~db/humans'

/**
 * How one human is told: by e-mail where an address is on file (members,
 * employees), by postcard where a postal address is (members without e-mail,
 * auction buyers), else through their employer by a handout (warehouse staff,
 * employees without e-mail). Linked records count once and pool their categories.
 */

export type PostalAddress = {
  postalCode: string
  prefecture?: string
  city?: string
  addressLine1?: string
  addressLine2?: string
}

type Recipient = {
  humanId: number
  language: 'ja' | 'en'
  familyName?: string
  givenName?: string
  categories: ExposureCategory[]
}

export type NoticeChannel =
  | (Recipient & { channel: 'email'; email: string })
  | (Recipient & { channel: 'postcard'; address: PostalAddress })
  | (Recipient & { channel: 'handout'; idKind: 'staff_id' | 'employee_id'; id: string })
  | { channel: 'unreachable'; humanId: number }

// Members first: their record is the one the shop keeps up to date.
const COHORT_PREFERENCE = ['member', 'employee', 'auction_buyer', 'warehouse_staff'] as const

export function chooseNoticeChannel(human: Human): NoticeChannel {
  const records = [...human.records].sort(
    (a, b) => COHORT_PREFERENCE.indexOf(a.cohort) - COHORT_PREFERENCE.indexOf(b.cohort),
  )
  const categories = pooledCategories(records)
  const recipient = (record: HumanRecord): Recipient => ({
    humanId: human.humanId,
    language: record.language,
    familyName: record.record.familyName,
    givenName: record.record.givenName,
    categories,
  })
  const withEmail = records.find((record) => record.record.email)
  if (withEmail) return { ...recipient(withEmail), channel: 'email', email: withEmail.record.email as string }
  const withAddress = records.find((record) => postalAddressOf(record))
  if (withAddress) {
    return {
      ...recipient(withAddress),
      channel: 'postcard',
      address: postalAddressOf(withAddress) as PostalAddress,
    }
  }
  const atWork = records.find((record) => record.cohort === 'warehouse_staff' || record.cohort === 'employee')
  if (atWork) {
    return {
      ...recipient(atWork),
      channel: 'handout',
      idKind: atWork.cohort === 'warehouse_staff' ? 'staff_id' : 'employee_id',
      id: atWork.record.naturalId,
    }
  }
  return { channel: 'unreachable', humanId: human.humanId }
}

function pooledCategories(records: HumanRecord[]): ExposureCategory[] {
  const held = new Set(records.flatMap((record) => record.categories))
  return EXPOSURE_CATEGORIES.filter((category) => held.has(category))
}

/** A postcard needs a postal code and something to deliver to besides it. */
function postalAddressOf({ record }: HumanRecord): PostalAddress | undefined {
  if (!record.postalCode || !(record.city || record.addressLine1)) return undefined
  return {
    postalCode: record.postalCode,
    prefecture: record.prefecture,
    city: record.city,
    addressLine1: record.addressLine1,
    addressLine2: record.addressLine2,
  }
}
