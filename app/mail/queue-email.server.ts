import { newMessageReference } from '~/codes/message-reference.server'
import type { PortalDatabase } from '~db/database'
import { createNotificationWriter } from '~db/notifications'
import type { PortalCrypto } from '~db/portal-crypto'
import type { MessagePurpose } from '~db/schema'
import type { EmailContent } from './email-content.server'

// A writer holds no statements of its own (the backend keeps those), so one is made per call.
const writer = (db: PortalDatabase, crypto: PortalCrypto) => createNotificationWriter(db, crypto.keyring)

/**
 * Records one e-mail to a person (with a fresh message reference, so they can
 * ask whether it is really ours) and queues it in the outbox, in one
 * transaction; the sender delivers it later, so no request waits on SMTP.
 */
export async function queueEmailMessage({
  db,
  crypto,
  humanId,
  purpose,
  to,
  content,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  humanId: number
  purpose: MessagePurpose
  to: string
  content: (messageReference: string) => EmailContent
}) {
  const reference = newMessageReference()
  await writer(db, crypto).queueEmail(
    {
      humanId,
      channel: 'email',
      purpose,
      referenceDigests: crypto.lookup('message-ref', reference.canonical),
      reference: reference.canonical,
      address: to,
    },
    content(reference.printed),
  )
}

/**
 * Queues a reply to an address nobody in the data holds (the "not affected"
 * answer): no message record and no reference, since it is no one's message;
 * the address exists only inside the sealed content, dropped once sent.
 */
export async function queueReplyToUnknownAddress({
  db,
  crypto,
  content,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  content: Extract<EmailContent, { kind: 'not_affected' }>
}) {
  await writer(db, crypto).queueReply(content)
}

/**
 * Queues an e-mail about a return request, urgent like a code: no message
 * record (the request's RT- reference is what the customer quotes), the
 * address only inside the sealed content, dropped once sent.
 */
export async function queueReturnEmail({
  db,
  crypto,
  content,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  content: Extract<EmailContent, { kind: 'return_code' | 'return_received' | 'return_update' }>
}) {
  await writer(db, crypto).queueReply(content)
}
