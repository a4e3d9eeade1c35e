/**
 * The kinds of personal data the notice lists as exposed. A subject stores the
 * ones its record actually held as a bit set (`subjects.exposed_categories`).
 */
export const EXPOSURE_CATEGORIES = [
  'name',
  'birth_date',
  'gender',
  'email',
  'phone',
  'address',
  'card',
  'password',
  'buyer_id',
  'staff_id',
] as const

export type ExposureCategory = (typeof EXPOSURE_CATEGORIES)[number]

export function categoryBit(category: ExposureCategory) {
  return 1 << EXPOSURE_CATEGORIES.indexOf(category)
}

export function categoryBits(categories: Iterable<ExposureCategory>) {
  let bits = 0
  for (const category of categories) bits |= categoryBit(category)
  return bits
}

export function categoriesOf(bits: number): ExposureCategory[] {
  return EXPOSURE_CATEGORIES.filter((category) => (bits & categoryBit(category)) !== 0)
}
