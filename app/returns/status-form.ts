import { z } from 'zod'
import { boundedForm, choiceField, textField } from '~/forms/bounded-form'
import { emailField, sixDigitCodeField } from '~/forms/fields'

/**
 * The status page's two steps in one form: the reference and the address
 * (`ask`), then the same two again with the code (`view`). Messages are keys
 * under `status.errors` (and `confirm.errors` for the code) of `returns`.
 */

// Room for a reference typed with spaces between its groups; the reader folds and checks it.
const REFERENCE_FIELD_MAX = 40

export const referenceField = textField(
  { max: REFERENCE_FIELD_MAX, required: 'referenceRequired', tooLong: 'referenceInvalid' },
  (text) => text.trim().min(1, 'referenceRequired'),
)

const code = sixDigitCodeField({ required: 'required', format: 'format' })
const email = emailField({ required: 'emailRequired', invalid: 'emailInvalid' })

export const statusForm = boundedForm(
  {
    intent: choiceField(['ask', 'view'], { invalid: 'referenceInvalid', fallback: 'ask' }),
    reference: referenceField,
    email,
    code,
  },
  () =>
    z.discriminatedUnion('intent', [
      z.object({ intent: z.literal('ask'), reference: referenceField.schema, email: email.schema }),
      z.object({
        intent: z.literal('view'),
        reference: referenceField.schema,
        email: email.schema,
        code: code.schema,
      }),
    ]),
)
