import { z } from 'zod'
import { displayEmail, normaliseEmail, normaliseIdentifier } from '~db/normalise'
import { textField } from './bounded-form'

/**
 * The fields several forms share, each bounded before it is read. Messages
 * are the i18n keys of the page that uses them, so each page says it its way.
 */

/** Room for spaces pasted around an address; the address itself is at most 254 (`normaliseEmail`). */
export const EMAIL_FIELD_MAX = 320

/**
 * An e-mail address as typed, read once: `shown` is how it is written back to
 * its holder (trimmed, folded, case kept), `matched` how it is looked up and
 * counted (`normaliseEmail`), so that no route normalises it again.
 */
export function emailField({ required, invalid }: { required: string; invalid: string }) {
  return textField({ max: EMAIL_FIELD_MAX, required, tooLong: invalid }, (text) =>
    text
      .trim()
      .min(1, required)
      .transform((value, context) => {
        const matched = normaliseEmail(value)
        if (matched === undefined) {
          context.issues.push({ code: 'custom', message: invalid, input: value })
          return z.NEVER
        }
        return { shown: displayEmail(value), matched }
      }),
  )
}

/** Who is signing in: an e-mail address, or a member ID for members the shop has no address for. */
export type SignInName = { kind: 'email'; address: string } | { kind: 'memberId'; memberId: string }

/**
 * One field for "e-mail address or member ID", as the sign-in page asks it:
 * with an `@` it is read as an address (and must be one), else as a member ID
 * (folded, spaces dropped, upper-cased, as the import stores it).
 */
export function signInNameField({ required, invalid }: { required: string; invalid: string }) {
  return textField({ max: EMAIL_FIELD_MAX, required, tooLong: invalid }, (text) =>
    text
      .trim()
      .min(1, required)
      .transform((value, context): SignInName => {
        const read: SignInName | undefined = value.normalize('NFKC').includes('@')
          ? asAddress(normaliseEmail(value))
          : asMemberId(normaliseIdentifier(value))
        if (read === undefined) {
          context.issues.push({ code: 'custom', message: invalid, input: value })
          return z.NEVER
        }
        return read
      }),
  )
}

const asAddress = (address: string | undefined): SignInName | undefined =>
  address === undefined ? undefined : { kind: 'email', address }
const asMemberId = (memberId: string | undefined): SignInName | undefined =>
  memberId === undefined ? undefined : { kind: 'memberId', memberId }

/** A six-digit code as typed (full-width digits, spaces or a hyphen between groups): its digits. */
export function sixDigitCodeField({ required, format }: { required: string; format: string }) {
  return textField({ max: 32, required, tooLong: format }, (text) =>
    text
      .transform((value) => value.normalize('NFKC').replace(/[\s-]/g, ''))
      .pipe(
        z
          .string()
          .min(1, required)
          .regex(/^\d{6}$/, format),
      ),
  )
}

/** Longer than the policy's 128, so that the policy, not the parser, says "too long" for a new password. */
export const PASSWORD_FIELD_MAX = 1024

/**
 * A password as typed, untouched. With `required`, an empty one is refused;
 * without, an absent one is empty and the caller decides.
 */
export function passwordField({ required, tooLong }: { required?: string; tooLong: string }) {
  return required === undefined
    ? textField({ max: PASSWORD_FIELD_MAX, required: tooLong, tooLong }, (text) => text.default(''))
    : textField({ max: PASSWORD_FIELD_MAX, required, tooLong }, (text) => text.min(1, required))
}
