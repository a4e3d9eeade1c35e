import { z } from 'zod'
import { boundedForm, choiceField, textField } from '~/forms/bounded-form'
import { EMAIL_FIELD_MAX } from '~/forms/fields'
import { STAFF_NAME_MAX, staffEmailSchema, staffNameSchema, staffRoleSchema } from '~/staff/staff-fields'
import { STAFF_ID_PATTERN } from '~/staff/staff-id.server'

/**
 * The forms of `/staff/people`, read through `readForm` so that every field
 * is bounded before the staff fields' normalisers see it. Messages are keys
 * under `people.add.errors` (the new member's fields) or `people.refused`
 * (what only a tampered or stale form sends).
 */

// A browser sends an empty field as "": the staff fields say "required" only for an absent one.
const blankAsAbsent = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value

function bounded<S extends z.ZodType>(max: number, tooLong: string, schema: S) {
  return { max, tooLong, schema: z.preprocess(blankAsAbsent, schema) }
}

export const intentForm = boundedForm({
  intent: choiceField(['create', 'disable', 'reset-mfa', 'require-passkeys', 'allow-app-codes'], {
    invalid: 'badRequest',
  }),
})

export const newMemberForm = boundedForm({
  email: bounded(
    EMAIL_FIELD_MAX,
    'emailInvalid',
    staffEmailSchema({ required: 'emailRequired', invalid: 'emailInvalid' }),
  ),
  // The staff name field allows twice its length before normalising (full-width spaces fold).
  name: bounded(
    STAFF_NAME_MAX * 2,
    'nameInvalid',
    staffNameSchema({ required: 'nameRequired', invalid: 'nameInvalid' }),
  ),
  role: bounded(
    'supervisor'.length,
    'roleInvalid',
    staffRoleSchema({ required: 'roleRequired', invalid: 'roleInvalid' }),
  ),
})

export type NewMemberField = keyof typeof newMemberForm.fields

export const changeForm = boundedForm({
  staffId: textField({ max: 11, required: 'badRequest', tooLong: 'badRequest' }, (text) =>
    text.regex(STAFF_ID_PATTERN, 'badRequest'),
  ),
  // Absent on the row's button (which asks to confirm), `yes` on the confirmation's.
  confirmed: { max: 3, tooLong: 'badRequest', schema: z.literal('yes', { error: 'badRequest' }).optional() },
})
