import { z } from 'zod'
import { boundedForm, choiceField, textField } from '~/forms/bounded-form'
import { emailField } from '~/forms/fields'
import { RETURN_REASONS, type ReturnReason } from '~db/return-vocabulary'
import { DESCRIPTION_MAX, OTHER_REASON_MAX } from './return-fields'
import { RETURN_NUMBER_FIELD_MAX, type ReturnNumberKind, readReturnNumber } from './return-numbers'

/**
 * The return request form's fields, each bounded before it is read. Messages
 * are keys under `new.errors` of the `returns` namespace.
 */

/** Which number a reason asks for: the order number only when the goods could not be sent back. */
export function numberKindFor(reason: ReturnReason): ReturnNumberKind {
  return reason === 'could_not_return' ? 'order' : 'shipping'
}

export const returnForm = boundedForm(
  {
    email: emailField({ required: 'emailRequired', invalid: 'emailInvalid' }),
    reason: choiceField(RETURN_REASONS, { invalid: 'reasonRequired' }),
    otherReason: textField(
      { max: OTHER_REASON_MAX, required: 'otherReasonRequired', tooLong: 'otherReasonTooLong' },
      (text) => text.trim().default(''),
    ),
    // Required whatever the reason, so an empty form says so at once; which number is the reason's business.
    number: textField(
      { max: RETURN_NUMBER_FIELD_MAX, required: 'numberRequired', tooLong: 'numberInvalid' },
      (text) => text.trim().min(1, 'numberRequired'),
    ),
    description: textField(
      { max: DESCRIPTION_MAX, required: 'descriptionRequired', tooLong: 'descriptionTooLong' },
      (text) => text.trim().min(1, 'descriptionRequired'),
    ),
  },
  (object) =>
    object.transform((values, context) => {
      const numberKind = numberKindFor(values.reason)
      const number = readReturnNumber(numberKind, values.number)
      if (number === undefined)
        context.issues.push(issue('number', `${numberKind}NumberInvalid`, values.number))
      if (values.reason === 'other' && values.otherReason === '')
        context.issues.push(issue('otherReason', 'otherReasonRequired', values.otherReason))
      if (number === undefined || (values.reason === 'other' && values.otherReason === '')) return z.NEVER
      return {
        email: values.email,
        reason: values.reason,
        otherReason: values.reason === 'other' ? values.otherReason : undefined,
        numberKind,
        number,
        description: values.description,
      }
    }),
)

const issue = (field: string, message: string, input: string) => ({
  code: 'custom' as const,
  path: [field],
  message,
  input,
})

/** The fields as typed, each cut to its bound: what the form shows again when something is refused. */
export type TypedReturn = {
  email: string
  reason: string
  otherReason: string
  number: string
  description: string
}

export function typedReturn(form: FormData): TypedReturn {
  const text = (name: keyof TypedReturn, max: number) => {
    const value = form.get(name)
    return typeof value === 'string' ? value.slice(0, max) : ''
  }
  return {
    email: text('email', 320),
    reason: text('reason', 32),
    otherReason: text('otherReason', OTHER_REASON_MAX),
    number: text('number', RETURN_NUMBER_FIELD_MAX),
    description: text('description', DESCRIPTION_MAX),
  }
}
