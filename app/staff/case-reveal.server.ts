import type { z } from 'zod'
import { maskIdentifier } from '~/exposure/mask'
import { boundedForm, choiceField, textField } from '~/forms/bounded-form'
import { addCaseNote } from '~db/case-notes'
import { type PortalDatabase, withTransaction } from '~db/database'
import { findHuman } from '~db/humans'
import { displayPhone } from '~db/normalise'
import type { PortalCrypto } from '~db/portal-crypto'
import type { Cohort } from '~db/schema'
import type { SubjectRecord } from '~db/subject-record'
import { audit, type CaseViewer, withinRevealBudget } from './case-access.server'
import { REVEAL_REASONS_SHOWN } from './reveal-reasons'

/**
 * Revealing one value of one record: with a reason from the list, a second
 * factor given in the last five minutes (checked by the route) and within the
 * hour's reveal budget. The value is in that one response and nowhere else:
 * the audit entry names the field, the record and the reason, never the
 * value; the words of an "other" reason go into a sealed case note, never the log.
 */

export const REVEALABLE_FIELDS = [
  'name',
  'kana',
  'birthDate',
  'email',
  'phone',
  'address',
  'naturalId',
] as const
export type RevealableFieldName = (typeof REVEALABLE_FIELDS)[number]

export const REVEAL_REASONS = REVEAL_REASONS_SHOWN
export type RevealReason = (typeof REVEAL_REASONS)[number]

/** One value staff may ask to see: `ref` names the record and field, the rest tells which it is. */
export type RevealableField = {
  ref: string
  cohort: Cohort
  maskedId: string | null
  field: RevealableFieldName
}

const joined = (...parts: (string | undefined)[]) =>
  parts.filter((part): part is string => Boolean(part)).join(' ') || undefined

const VALUE_OF: Record<RevealableFieldName, (record: SubjectRecord) => string | undefined> = {
  name: (record) => joined(record.familyName, record.givenName),
  kana: (record) => joined(record.familyNameKana, record.givenNameKana),
  birthDate: (record) => record.birthDate,
  email: (record) => record.email,
  phone: (record) => (record.phone ? displayPhone(record.phone) : undefined),
  address: (record) =>
    joined(
      record.postalCode ? `〒${record.postalCode}` : undefined,
      record.prefecture,
      record.city,
      record.addressLine1,
      record.addressLine2,
    ),
  naturalId: (record) => record.naturalId,
}

/** The fields of the human's records that hold a value, record by record. */
export async function revealableFields(
  db: PortalDatabase,
  crypto: PortalCrypto,
  humanId: number,
): Promise<RevealableField[]> {
  const human = await findHuman(db, crypto.keyring, humanId)
  return (human?.records ?? []).flatMap(({ subjectId, cohort, record }) =>
    REVEALABLE_FIELDS.filter((field) => VALUE_OF[field](record) !== undefined).map((field) => ({
      ref: `${subjectId}.${field}`,
      cohort,
      maskedId: maskIdentifier(record.naturalId),
      field,
    })),
  )
}

const REF = /^(\d{1,15})\.([a-zA-Z]{1,16})$/

export const revealForm = boundedForm(
  {
    ref: textField({ max: 32, required: 'fieldRequired', tooLong: 'fieldRequired' }, (text) =>
      text.regex(REF, 'fieldRequired'),
    ),
    reason: choiceField(REVEAL_REASONS, { invalid: 'reasonRequired' }),
    reasonText: textField(
      { max: 500, required: 'reasonTextRequired', tooLong: 'reasonTextTooLong' },
      (text) => text.trim().default(''),
    ),
  },
  (object) =>
    object.superRefine((value, context) => {
      if (value.reason === 'other' && value.reasonText === '') {
        context.addIssue({ code: 'custom', path: ['reasonText'], message: 'reasonTextRequired' })
      }
    }),
)

export type RevealOutcome =
  | { ok: true; field: RevealableFieldName; cohort: Cohort; maskedId: string | null; value: string }
  | { ok: false; reason: 'unknownField' | 'overBudget' }

export async function revealField(
  context: { db: PortalDatabase; crypto: PortalCrypto; viewer: CaseViewer; now?: number },
  {
    humanId,
    ref,
    reason,
    reasonText,
  }: { humanId: number; ref: string; reason: RevealReason; reasonText: string },
): Promise<RevealOutcome> {
  const [, subjectId, field] = ref.match(REF) ?? []
  const record = (await findHuman(context.db, context.crypto.keyring, humanId))?.records.find(
    (candidate) => candidate.subjectId === Number(subjectId),
  )
  const name = REVEALABLE_FIELDS.find((candidate) => candidate === field)
  const value = record && name ? VALUE_OF[name](record.record) : undefined
  if (!record || !name || value === undefined) return { ok: false, reason: 'unknownField' }
  if (!(await withinRevealBudget(context, humanId))) return { ok: false, reason: 'overBudget' }
  await withTransaction(context.db, async (tx) => {
    await audit(tx, context.viewer, 'case.field_revealed', humanId, 'success', {
      field: name,
      cohort: record.cohort,
      record: `subject-${record.subjectId}`,
      reason,
    })
    // The words of an "other" reason are the staff member's own: kept as a sealed case note
    // beside the entry, on the timeline, and never in the log.
    if (reason === 'other') {
      await addCaseNote(tx, context.crypto.keyring, {
        humanId,
        staffId: context.viewer.staffId,
        text: reasonText,
        now: new Date(context.now ?? Date.now()),
      })
    }
  })
  return {
    ok: true,
    field: name,
    cohort: record.cohort,
    maskedId: maskIdentifier(record.record.naturalId),
    value,
  }
}

export type RevealFormData = z.output<typeof revealForm.schema>
