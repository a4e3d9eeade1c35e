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
  normaliseGender,
  normaliseKana,
  normalisePhone,
  normalisePostalCode,
  normaliseText,
  parseLegacyDateTime,
} from '~db/normalise'
import type { SubjectRecord } from '~db/subject-record'
import { isPrefectureName, type PrefectureName, prefectureOf, prefecturesForPostalCode } from './prefectures'

/**
 * The registration details a member confirms after the breach: what the form
 * accepts, how a stored record fills it, and which fields a confirmation
 * changed. Shared by the server and the browser, so no Node imports. Every
 * error is an i18n key the caller translates.
 */

export {
  isPrefectureName,
  PREFECTURE_NAMES,
  PREFECTURES,
  type Prefecture,
  type PrefectureCode,
  type PrefectureName,
  postalCodeMatchesPrefecture,
  prefectureOf,
  prefecturesForPostalCode,
} from './prefectures'

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

/** Today's date in Japan, which decides how old a member is. */
export function japanToday(now: Date = new Date()): CalendarDate {
  const japan = new Date(now.getTime() + 9 * 3_600_000)
  return { year: japan.getUTCFullYear(), month: japan.getUTCMonth() + 1, day: japan.getUTCDate() }
}

/** Whole years from a birth date to a day; negative when born after it. */
export function ageOn(birth: CalendarDate, today: CalendarDate): number {
  const beforeBirthday = today.month < birth.month || (today.month === birth.month && today.day < birth.day)
  return today.year - birth.year - (beforeBirthday ? 1 : 0)
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
 * `addressLine2` or `phone` is allowed), each field bounded before it is
 * read. `today` decides whether a birth date is plausible; without it,
 * Japan's date at each parse.
 */
export function registrationDetailsForm({
  today,
  prefecturesFor = prefecturesForPostalCode,
}: {
  today?: CalendarDate
  /** Which prefectures a postal code belongs to; the server passes Japan Post's list. */
  prefecturesFor?: PostalLookup
} = {}) {
  return boundedForm(
    {
      familyName: field(POSTED.name, readText(NAME_MAX)),
      givenName: field(POSTED.name, readText(NAME_MAX)),
      familyNameKana: field(POSTED.name, readKana),
      givenNameKana: field(POSTED.name, readKana),
      birthDate: field(POSTED.birthDate, readBirthDate(today)),
      gender: field(POSTED.gender, readGender, E.genderChoice),
      email: field(POSTED.email, readEmail),
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

function isoDateOf(value: string | undefined) {
  const parsed = value === undefined ? undefined : parseLegacyDateTime(value)
  return parsed ? formatIsoDate(parsed.date) : undefined
}

/** A stored record as the form's first values: `100-0001`, `1985-04-01`, the prefecture's name. */
export function detailsFromRecord(record: SubjectRecord): RegistrationDetailsForm {
  const postalCode = record.postalCode === undefined ? undefined : normalisePostalCode(record.postalCode)
  return {
    familyName: record.familyName ?? '',
    givenName: record.givenName ?? '',
    familyNameKana: record.familyNameKana ?? '',
    givenNameKana: record.givenNameKana ?? '',
    birthDate: isoDateOf(record.birthDate) ?? '',
    gender: record.gender === undefined ? '' : String(record.gender),
    email: record.email ?? '',
    phone: record.phone ?? '',
    postalCode: postalCode ? `${postalCode.slice(0, 3)}-${postalCode.slice(3)}` : (record.postalCode ?? ''),
    prefecture: record.prefecture === undefined ? '' : (prefectureOf(record.prefecture)?.name ?? ''),
    city: record.city ?? '',
    addressLine1: record.addressLine1 ?? '',
    addressLine2: record.addressLine2 ?? '',
  }
}

type Comparable = string | number | undefined

const text = (value: Comparable) =>
  value === undefined ? undefined : normaliseText(fold(String(value))) || undefined
const kana = (value: Comparable) => {
  const folded = text(value)
  return folded === undefined ? undefined : (normaliseKana(folded) ?? folded)
}

/** Each field's value as two values are compared: a difference in form alone is no change. */
const COMPARABLE: Record<RegistrationField, (value: Comparable) => Comparable> = {
  familyName: text,
  givenName: text,
  familyNameKana: kana,
  givenNameKana: kana,
  birthDate: (value) => (value === undefined ? undefined : (isoDateOf(String(value)) ?? text(value))),
  // ISO/IEC 5218 0 is "not known": an empty record says no more.
  gender: (value) => normaliseGender(String(value ?? '')) ?? text(value),
  email: (value) => (value === undefined ? undefined : (normaliseEmail(String(value)) ?? text(value))),
  phone: (value) => (value === undefined ? undefined : (normalisePhone(String(value)) ?? text(value))),
  postalCode: (value) =>
    value === undefined ? undefined : (normalisePostalCode(String(value)) ?? text(value)),
  prefecture: (value) =>
    value === undefined ? undefined : (prefectureOf(String(value))?.name ?? text(value)),
  city: text,
  addressLine1: text,
  addressLine2: text,
}

/** The names, never the values, of the fields a confirmation changed, in the form's order. */
export function changedFields({
  before,
  after,
}: {
  before: SubjectRecord
  after: RegistrationDetails
}): RegistrationField[] {
  return REGISTRATION_FIELDS.filter((name) => {
    const compare = COMPARABLE[name]
    return compare(before[name]) !== compare(after[name])
  })
}
