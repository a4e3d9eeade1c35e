import type { GenderCode } from '~db/normalise'

/**
 * The registration details form's fields and choices, as the form, its
 * pre-fill and the change history name them. Shared with the browser.
 */

/** The form's fields, in the order the form shows them. */
export const REGISTRATION_FIELDS = [
  'familyName',
  'givenName',
  'familyNameKana',
  'givenNameKana',
  'birthDate',
  'gender',
  'email',
  'phone',
  'postalCode',
  'prefecture',
  'city',
  'addressLine1',
  'addressLine2',
] as const

export type RegistrationField = (typeof REGISTRATION_FIELDS)[number]

/** The form's values as the inputs hold them. */
export type RegistrationDetailsForm = Record<RegistrationField, string>

/** ISO/IEC 5218 codes in the order the form offers them, "prefer not to say" last. */
export const GENDER_CHOICES = [
  { code: 1, value: '1', labelKey: 'details.gender.male' },
  { code: 2, value: '2', labelKey: 'details.gender.female' },
  { code: 9, value: '9', labelKey: 'details.gender.notApplicable' },
  { code: 0, value: '0', labelKey: 'details.gender.notKnown' },
] as const satisfies readonly { code: GenderCode; value: `${GenderCode}`; labelKey: string }[]
