import { z } from 'zod'
import { EMAIL_FIELD_MAX } from '~/forms/fields'
import { displayEmail, normaliseEmail, normaliseText } from '~db/normalise'
import { STAFF_MEMBER_ROLES } from '~db/schema'

/**
 * What names a staff account, read one way by the command and the
 * supervisors' page (`/staff/people`): each bounded before anything else
 * reads it, the e-mail address normalised as the portal's e-mail field does.
 * Messages are the caller's: plain lines for the command, i18n keys for a page.
 */

/** Longer than any name a person has; a name is shown in lists, not searched. */
export const STAFF_NAME_MAX = 100

// Control characters would garble the command's table and a page's text alike.
const CONTROL = /\p{Cc}/u

type Messages = { required: string; invalid: string }

// Absent and malformed say different things; neither quotes what was typed.
const text = ({ required, invalid }: Messages) =>
  z.string({ error: (issue) => (issue.input === undefined ? required : invalid) })

export function staffEmailSchema({ required, invalid }: Messages) {
  return text({ required, invalid })
    .max(EMAIL_FIELD_MAX, invalid)
    .transform((value, context) => {
      const matched = normaliseEmail(value.trim())
      if (matched === undefined) {
        context.issues.push({ code: 'custom', message: invalid, input: value })
        return z.NEVER
      }
      return { shown: displayEmail(value.trim()), matched }
    })
}

export function staffNameSchema({ required, invalid }: Messages) {
  return text({ required, invalid })
    .max(STAFF_NAME_MAX * 2, invalid)
    .transform(normaliseText)
    .pipe(
      z
        .string()
        .min(1, invalid)
        .max(STAFF_NAME_MAX, invalid)
        .refine((name) => !CONTROL.test(name), invalid),
    )
}

export function staffRoleSchema({ required, invalid }: Messages) {
  return z.enum(STAFF_MEMBER_ROLES, { error: (issue) => (issue.input === undefined ? required : invalid) })
}
