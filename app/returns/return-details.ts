import type { Language } from '~/i18n/config'

/**
 * What a customer typed for a return, sealed in the draft and then in the
 * request: shared by the form, the staff pages and the e-mails. `number` is
 * the shipping management number (発送管理番号) or, for goods that could not be
 * returned while the site was down, the order number, in its canonical form.
 */
export type ReturnDetails = {
  /** The contact address as typed (trimmed and folded, case kept): where every reply goes. */
  email: string
  numberKind: 'shipping' | 'order'
  number: string
  /** The reason in the customer's words, when the reason is `other`. */
  otherReason?: string
  description: string
  /** The language the customer wrote in: mail about the request goes out in it first. */
  language: Language
}
