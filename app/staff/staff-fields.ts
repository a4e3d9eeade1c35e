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

/** What the second-factor box holds: six digits from the app, or a recovery code. */
export type SecondFactorCode = { kind: 'totp'; digits: string } | { kind: 'recovery-code'; typed: string }

// Longer than a recovery code typed with a space between every symbol.
const SECOND_FACTOR_CODE_MAX = 40

/**
 * The one box of the second-factor step. Six digits (full-width, spaces or a
 * hyphen forgiven) are an app code; ten Crockford symbols a recovery code.
 */
export function secondFactorCodeSchema({ required, invalid }: Messages) {
  return z
    .string({ error: required })
    .max(SECOND_FACTOR_CODE_MAX, { error: invalid, abort: true })
    .transform((value, context): SecondFactorCode => {
      const folded = value.normalize('NFKC').replace(/[\s\-‐‑‒–—―−－ー]/g, '')
      if (folded === '') {
        context.issues.push({ code: 'custom', message: required, input: value })
        return z.NEVER
      }
      if (/^\d{6}$/.test(folded)) return { kind: 'totp', digits: folded }
      if (/^[0-9A-Za-z]{10}$/.test(folded)) return { kind: 'recovery-code', typed: folded }
      context.issues.push({ code: 'custom', message: invalid, input: value })
      return z.NEVER
    })
}

/** A browser's WebAuthn answer is a few kilobytes of JSON; anything far larger is not one. */
export const PASSKEY_ANSWER_MAX = 16 * 1024

/**
 * The `credential` field a passkey ceremony fills: JSON with a credential ID,
 * bounded before it is parsed. The WebAuthn library checks everything else.
 */
export function passkeyAnswerSchema({ invalid }: { invalid: string }) {
  return z
    .string({ error: invalid })
    .max(PASSKEY_ANSWER_MAX, { error: invalid, abort: true })
    .transform((value, context) => {
      try {
        const parsed: unknown = JSON.parse(value)
        const answer = z
          .looseObject({ id: z.string().min(1).max(1024), type: z.literal('public-key') })
          .safeParse(parsed)
        if (answer.success) return answer.data
      } catch {
        // Not JSON: refused below like any other malformed answer.
      }
      context.issues.push({ code: 'custom', message: invalid, input: value })
      return z.NEVER
    })
}
