import { z } from 'zod'
import { boundedForm, type FormField, textField } from '~/forms/bounded-form'
import { EMAIL_FIELD_MAX } from '~/forms/fields'
import {
  type CalendarDate,
  fold,
  formatIsoDate,
  GENDER_CODES,
  type GenderCode,
  normaliseEmail,
  normalisePhone,
  normalisePostalCode,
  normaliseText,
  parseLegacyDateTime,
} from '~db/normalise'
import { ageOn, japanToday } from './calendar'
import { isPrefectureName, type PrefectureName, prefecturesForPostalCode } from './prefectures'
import { REGISTRATION_FIELDS, type RegistrationField } from './registration-fields'

/**
 * The registration details form a member confirms after the breach: what it
 * accepts, each field bounded and then read into its stored form. Shared by
 * the server and the browser, so no Node imports. Every error is an i18n key
 * the caller translates.
 */

export const DETAILS_ERRORS = {
  required: 'details.errors.required',
  tooLong: 'details.errors.tooLong',
  kanaOnly: 'details.errors.kanaOnly',
  birthDateFormat: 'details.errors.birthDateFormat',
  birthDateImplausible: 'details.errors.birthDateImplausible',
  genderChoice: 'details.errors.genderChoice',
  emailFormat: 'details.errors.emailFormat',
  phoneFormat: 'details.errors.phoneFormat',
  postalCodeFormat: 'details.errors.postalCodeFormat',
  postalCodeMismatch: 'details.errors.postalCodeMismatch',
  prefectureChoice: 'details.errors.prefectureChoice',
} as const

export type DetailsErrorKey = (typeof DETAILS_ERRORS)[keyof typeof DETAILS_ERRORS]

const E = DETAILS_ERRORS

export const NAME_MAX = 50
export const ADDRESS_MAX = 100
export const AGE_MIN = 13
export const AGE_MAX = 120

type Read<T> = { value: T } | { error: DetailsErrorKey }

// Hiragana, small ゕゖ and the iteration marks ゝゞ sit 0x60 below their katakana.
const HIRAGANA = /[\u3041-\u3096\u309d\u309e]/g
// Katakana letters (ァ–ヺ), the middle dot ・, the long-sound mark ー and ヽヾ; words one space apart.
const KATAKANA_WORDS = /^[\u30a1-\u30fe]+(?: [\u30a1-\u30fe]+)*$/
const KATAKANA_LETTER = /[\u30a1-\u30fa]/

/**
 * Full-width katakana from hiragana, half-width katakana (ｶﾞ → ガ) or
 * katakana, keeping ー, ・ and one space between words; undefined when the
 * value holds anything else (Latin, kanji, digits) or no kana at all.
 */
export function toFullWidthKatakana(value: string): string | undefined {
  // Far longer than a name may be: refused before it is folded.
  if (value.length > POSTED.name.max) return undefined
  const kana = fold(value)
    .replace(/\s+/g, ' ')
    .replace(HIRAGANA, (char) => String.fromCharCode(char.charCodeAt(0) + 0x60))
  return KATAKANA_WORDS.test(kana) && KATAKANA_LETTER.test(kana) ? kana : undefined
}

// Characters as people count them: 𠮷 is one, not two UTF-16 units.
const length = (value: string) => [...value].length

function readText(max: number) {
  return (raw: string): Read<string> => {
    const value = normaliseText(raw)
    if (value === '') return { error: E.required }
    return length(value) > max ? { error: E.tooLong } : { value }
  }
}

function readKana(raw: string): Read<string> {
  if (fold(raw) === '') return { error: E.required }
  const kana = toFullWidthKatakana(raw)
  if (kana === undefined) return { error: E.kanaOnly }
  return length(kana) > NAME_MAX ? { error: E.tooLong } : { value: kana }
}

const DATE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/

function readBirthDate(given: CalendarDate | undefined) {
  return (raw: string): Read<string> => {
    const today = given ?? japanToday()
    const folded = fold(raw)
    if (folded === '') return { error: E.required }
    const match = folded.match(DATE)
    if (!match) return { error: E.birthDateFormat }
    // Centuries too early are implausible whether or not the day exists.
    if (Number(match[1]) < today.year - AGE_MAX - 1) return { error: E.birthDateImplausible }
    const parsed = parseLegacyDateTime(folded)
    if (!parsed) return { error: E.birthDateFormat }
    const age = ageOn(parsed.date, today)
    if (age < AGE_MIN || age > AGE_MAX) return { error: E.birthDateImplausible }
    return { value: formatIsoDate(parsed.date) }
  }
}

function readGender(raw: string): Read<GenderCode> {
  const folded = fold(raw)
  if (!/^\d$/.test(folded)) return { error: E.genderChoice }
  const code = Number(folded)
  return (GENDER_CODES as readonly number[]).includes(code)
    ? { value: code as GenderCode }
    : { error: E.genderChoice }
}

function readEmail(raw: string): Read<string> {
  if (fold(raw) === '') return { error: E.required }
  const email = normaliseEmail(raw)
  return email ? { value: email } : { error: E.emailFormat }
}

/** For members the shop never had an address for (told by postcard): they may add one, or not. */
function readOptionalEmail(raw: string): Read<string | undefined> {
  return fold(raw) === '' ? { value: undefined } : readEmail(raw)
}

/**
 * Mobiles and IP phones (070, 080, 090, 050) have 11 digits; other numbers 10.
 * Optional: members were never required to give one, and many did not.
 */
function readPhone(raw: string): Read<string | undefined> {
  if (fold(raw) === '') return { value: undefined }
  const phone = normalisePhone(raw)
  if (!phone) return { error: E.phoneFormat }
  const mobile = /^0[5789]0/.test(phone)
  return (mobile ? phone.length === 11 : phone.length === 10) ? { value: phone } : { error: E.phoneFormat }
}

type PostalLookup = (code7: string) => readonly string[]

function readPostalCode(raw: string): Read<string> {
  if (fold(raw) === '') return { error: E.required }
  const code = normalisePostalCode(raw)
  // 000-0000, the placeholder of many old systems, belongs to no prefecture.
  return code && prefecturesForPostalCode(code).length > 0 ? { value: code } : { error: E.postalCodeFormat }
}

function readPrefecture(raw: string): Read<PrefectureName> {
  const name = fold(raw)
  return isPrefectureName(name) ? { value: name } : { error: E.prefectureChoice }
}

/**
 * How long each field may be as posted, before it is read at all: room for
 * characters outside the BMP (two UTF-16 units) and spaces around a valid
 * value, and never the 64 KiB a post may carry. A longer one gets `tooLong`.
 */
const POSTED = {
  name: { max: NAME_MAX * 4, tooLong: E.tooLong },
  address: { max: ADDRESS_MAX * 4, tooLong: E.tooLong },
  birthDate: { max: 64, tooLong: E.birthDateFormat },
  gender: { max: 8, tooLong: E.genderChoice },
  email: { max: EMAIL_FIELD_MAX, tooLong: E.emailFormat },
  phone: { max: 64, tooLong: E.phoneFormat },
  postalCode: { max: 32, tooLong: E.postalCodeFormat },
  prefecture: { max: 32, tooLong: E.prefectureChoice },
} as const

type Posted = (typeof POSTED)[keyof typeof POSTED]

function field<T>(
  posted: Posted,
  read: (raw: string) => Read<T>,
  missing: DetailsErrorKey = E.required,
): FormField<z.ZodType<T, string>> {
  return textField({ ...posted, required: missing }, (text) =>
    text.transform((raw, ctx): T => {
      const result = read(raw)
      if ('value' in result) return result.value
      ctx.addIssue({ code: 'custom', message: result.error })
      return z.NEVER
    }),
  )
}

/** A field members may leave out: absent or empty is `undefined`. */
function optionalField<T>(posted: Posted, read: (raw: string) => Read<T | undefined>) {
  return textField({ ...posted, required: posted.tooLong }, (text) =>
    text.optional().transform((raw, ctx): T | undefined => {
      const result = read(raw ?? '')
      if ('value' in result) return result.value
      ctx.addIssue({ code: 'custom', message: result.error })
      return z.NEVER
    }),
  )
}

function readOptionalText(raw: string): Read<string | undefined> {
  const value = normaliseText(raw)
  if (value === '') return { value: undefined }
  return length(value) <= ADDRESS_MAX ? { value } : { error: E.tooLong }
}

/**
 * The registration details form as posted (every field a string; a missing
 * `addressLine2` or `phone`, and `email` where `emailOptional`, is allowed), each field bounded before it is
 * read. `today` decides whether a birth date is plausible; without it,
 * Japan's date at each parse.
 */
export function registrationDetailsForm({
  today,
  prefecturesFor = prefecturesForPostalCode,
  emailOptional = false,
}: {
  today?: CalendarDate
  /** Which prefectures a postal code belongs to; the server passes Japan Post's list. */
  prefecturesFor?: PostalLookup
  /** True for a member with no address on file: they are not made to add one. */
  emailOptional?: boolean
} = {}) {
  return boundedForm(
    {
      familyName: field(POSTED.name, readText(NAME_MAX)),
      givenName: field(POSTED.name, readText(NAME_MAX)),
      familyNameKana: field(POSTED.name, readKana),
      givenNameKana: field(POSTED.name, readKana),
      birthDate: field(POSTED.birthDate, readBirthDate(today)),
      gender: field(POSTED.gender, readGender, E.genderChoice),
      email: emailOptional ? optionalField(POSTED.email, readOptionalEmail) : field(POSTED.email, readEmail),
      phone: optionalField(POSTED.phone, readPhone),
      postalCode: field(POSTED.postalCode, readPostalCode),
      prefecture: field(POSTED.prefecture, readPrefecture, E.prefectureChoice),
      city: field(POSTED.address, readText(ADDRESS_MAX)),
      addressLine1: field(POSTED.address, readText(ADDRESS_MAX)),
      addressLine2: optionalField(POSTED.address, readOptionalText),
    },
    (object) =>
      object.superRefine(
        (details, ctx) => {
          if (!prefecturesFor(details.postalCode).includes(details.prefecture))
            ctx.addIssue({ code: 'custom', path: ['postalCode'], message: E.postalCodeMismatch })
        },
        // Checked as soon as both fields are valid, even while others are not (but never on a non-object).
        {
          when: ({ issues }) =>
            !issues.some(({ path }) => !path?.length || path[0] === 'postalCode' || path[0] === 'prefecture'),
        },
      ),
  )
}

/** The form's schema alone, for reading values that are not a posted form. */
export function registrationDetailsSchema(options: Parameters<typeof registrationDetailsForm>[0] = {}) {
  return registrationDetailsForm(options).schema
}

export type RegistrationDetailsSchema = ReturnType<typeof registrationDetailsSchema>
/** The details as the schema gives them: names trimmed, kana in katakana, codes in digits. */
export type RegistrationDetails = z.output<RegistrationDetailsSchema>

const FIELD_NAMES = new Set<string>(REGISTRATION_FIELDS)

/** The first error of each field, as an i18n key. */
export function fieldErrorsOf(error: z.ZodError): Partial<Record<RegistrationField, DetailsErrorKey>> {
  const errors: Partial<Record<RegistrationField, DetailsErrorKey>> = {}
  for (const issue of error.issues) {
    const name = issue.path[0]
    if (typeof name !== 'string' || !FIELD_NAMES.has(name)) continue
    const field = name as RegistrationField
    errors[field] ??= issue.message as DetailsErrorKey
  }
  return errors
}
