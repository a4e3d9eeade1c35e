import { newLetterCode } from '~/codes/letter-code.server'
import { newMessageReference } from '~/codes/message-reference.server'
import type { EmailContent } from '~/mail/email-content.server'
import type { NewNotification } from '~db/notifications'
import type { PortalCrypto } from '~db/portal-crypto'
import type { MessagePurpose } from '~db/schema'
import type { NoticeChannel } from './notice-channel.server'
import { addressLines, formatPostalCode, recipientName } from './printer-files.server'

/**
 * One notice made ready to go, whether the first (`npm run notify`) or one
 * sent again by staff: a fresh letter code and message reference, the rows
 * that record them as keyed hashes, and what the e-mail or the printer row
 * carries in the clear.
 */

export type Notice = Exclude<NoticeChannel, { channel: 'unreachable' }>

export type PreparedNotice = {
  notice: Notice
  letterCode: string
  reference: string
  row: NewNotification & { message: { address: string } }
}

export function prepareNotice(
  {
    crypto,
    portalAddress,
    purpose = 'notification',
  }: { crypto: PortalCrypto; portalAddress: string; purpose?: MessagePurpose },
  notice: Notice,
): PreparedNotice {
  const letterCode = newLetterCode()
  const reference = newMessageReference()
  const address =
    notice.channel === 'email'
      ? notice.email
      : notice.channel === 'postcard'
        ? [formatPostalCode(notice.address.postalCode), ...addressLines(notice.address)].join(' ').trim()
        : // A handout's "address" is the staff or employee ID it was handed out for: what
          // /message-check asks of a handout's holder.
          notice.id
  const emailContent: EmailContent | undefined =
    notice.channel === 'email'
      ? {
          kind: 'notification',
          to: notice.email,
          input: {
            language: notice.language,
            familyName: notice.familyName,
            givenName: notice.givenName,
            categories: notice.categories,
            letterCode: letterCode.printed,
            messageReference: reference.printed,
            portalAddress,
          },
        }
      : undefined
  return {
    notice,
    letterCode: letterCode.printed,
    reference: reference.printed,
    row: {
      message: {
        humanId: notice.humanId,
        channel: notice.channel,
        purpose,
        referenceDigests: crypto.lookup('message-ref', reference.canonical),
        reference: reference.canonical,
        address,
      },
      letterCodeIndex: crypto.index('letter-code', letterCode.canonical),
      letterCode: letterCode.canonical,
      emailContent,
    },
  }
}

/** The row a postcard or handout file prints for this notice; none for an e-mail. */
export function printerRowOf(portalAddress: string, { notice, letterCode, reference }: PreparedNotice) {
  if (notice.channel === 'postcard') {
    const [line1, line2] = addressLines(notice.address)
    return [
      formatPostalCode(notice.address.postalCode),
      line1,
      line2,
      recipientName(notice),
      letterCode,
      reference,
      portalAddress,
    ]
  }
  if (notice.channel === 'handout')
    return [notice.idKind, notice.id, recipientName(notice), letterCode, reference, portalAddress]
  return undefined
}
