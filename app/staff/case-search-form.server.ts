import { readWrittenDate } from '~/accounts/calendar'
import { readLetterCode } from '~/codes/letter-code.server'
import { readMessageReference } from '~/codes/message-reference.server'
import { boundedForm, choiceField, textField } from '~/forms/bounded-form'
import { EMAIL_FIELD_MAX } from '~/forms/fields'
import type { IndexLookup } from '~db/blind-index'
import type { CaseKey } from '~db/case-search'
import { normaliseEmail, normaliseIdentifier, normaliseKana, normalisePhone } from '~db/normalise'
import type { Cohort } from '~db/schema'
import { NATURAL_ID_KINDS } from '~db/subject-record'
import { CASE_SEARCH_KINDS, type CaseSearchKind } from './case-search-kinds'

export { CASE_SEARCH_KINDS, type CaseSearchKind }

/**
 * The case search form: one box, a kind, and a birth date that only the
 * family-name kind reads. Each kind is read by the very normaliser the
 * importer (or the notify run) used to make its digest, so what a caller
 * reads out (full-width digits, `+81`, hyphens of every sort, 昭和 dates)
 * finds the record exactly when the stored value is the same value.
 */

// The longest box is an e-mail address with room for spaces; every normaliser bounds itself again.
export const caseSearchForm = boundedForm({
  kind: choiceField(CASE_SEARCH_KINDS, { invalid: 'kindRequired' }),
  value: textField({ max: EMAIL_FIELD_MAX, required: 'valueRequired', tooLong: 'valueInvalid' }, (text) =>
    text.trim().min(1, 'valueRequired'),
  ),
  birthDate: textField({ max: 64, required: 'birthDateRequired', tooLong: 'birthDateInvalid' }, (text) =>
    text.trim().default(''),
  ),
})

/** The cohort a natural-ID search looks in; its digest's kind is that cohort's (`NATURAL_ID_KINDS`). */
const NATURAL_ID_COHORTS: Partial<Record<CaseSearchKind, Cohort>> = {
  'member-id': 'member',
  'buyer-id': 'auction_buyer',
  'employee-id': 'employee',
  'warehouse-id': 'warehouse_staff',
}

export type ReadCaseKey =
  | { ok: true; key: CaseKey }
  | {
      ok: false
      field: 'value' | 'birthDate'
      error: 'valueInvalid' | 'birthDateRequired' | 'birthDateInvalid'
    }

/**
 * The digests a typed value is found by (under the current index key and the
 * previous one), or which box to correct.
 */
export function readCaseKey(
  lookup: IndexLookup,
  { kind, value, birthDate }: { kind: CaseSearchKind; value: string; birthDate: string },
): ReadCaseKey {
  const invalid = { ok: false, field: 'value', error: 'valueInvalid' } as const
  const cohort = NATURAL_ID_COHORTS[kind]
  if (cohort) {
    const id = normaliseIdentifier(value)
    return id
      ? { ok: true, key: { kind: 'natural-id', cohort, digests: lookup(NATURAL_ID_KINDS[cohort], id) } }
      : invalid
  }
  switch (kind) {
    case 'email': {
      const email = normaliseEmail(value)
      return email ? { ok: true, key: { kind: 'email', digests: lookup('email', email) } } : invalid
    }
    case 'phone': {
      const phone = normalisePhone(value)
      return phone ? { ok: true, key: { kind: 'phone', digests: lookup('phone', phone) } } : invalid
    }
    case 'letter-code': {
      const code = readLetterCode(value)
      return code.ok
        ? { ok: true, key: { kind: 'letter-code', digests: lookup('letter-code', code.canonical) } }
        : invalid
    }
    case 'message-ref': {
      const reference = readMessageReference(value)
      return reference
        ? { ok: true, key: { kind: 'message-ref', digests: lookup('message-ref', reference) } }
        : invalid
    }
    case 'kana-birth': {
      const kana = normaliseKana(value)
      if (!kana) return invalid
      if (birthDate === '') return { ok: false, field: 'birthDate', error: 'birthDateRequired' }
      const date = readWrittenDate(birthDate)
      if (date.read !== 'date') return { ok: false, field: 'birthDate', error: 'birthDateInvalid' }
      return { ok: true, key: { kind: 'kana-birth', digests: lookup('kana-birth', `${kana}|${date.iso}`) } }
    }
    default:
      return invalid
  }
}
