import { newMessageReference } from '~/codes/message-reference.server'
import type { SqliteDatabase } from '~db/client'
import { createNotificationWriter } from '~db/notifications'
import type { PortalCrypto } from '~db/portal-crypto'
import type { MessagePurpose } from '~db/schema'
import type { EmailContent } from './email-content.server'

const writers = new WeakMap<SqliteDatabase, ReturnType<typeof createNotificationWriter>>()

function writer(db: SqliteDatabase, crypto: PortalCrypto) {
  let made = writers.get(db)
  if (!made) {
    made = createNotificationWriter(db, crypto.keyring)
    writers.set(db, made)
  }
  return made
}

/**
 * Records one e-mail to a person (with a fresh message reference, so they can
 * ask whether it is really ours) and queues it in the outbox, in one
 * transaction; the sender delivers it later, so no request waits on SMTP.
 */
export function queueEmailMessage({
  db,
  crypto,
  humanId,
  purpose,
  to,
  content,
}: {
  db: SqliteDatabase
  crypto: PortalCrypto
  humanId: number
  purpose: MessagePurpose
  to: string
  content: (messageReference: string) => EmailContent
}) {
  const reference = newMessageReference()
  writer(db, crypto).queueEmail(
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
export function queueReplyToUnknownAddress({
  db,
  crypto,
  content,
}: {
  db: SqliteDatabase
  crypto: PortalCrypto
  content: Extract<EmailContent, { kind: 'not_affected' }>
}) {
  writer(db, crypto).queueReply(content)
}

/**
 * Queues an e-mail about a return request, urgent like a code: no message
 * record (the request's RT- reference is what the customer quotes), the
 * address only inside the sealed content, dropped once sent.
 */
export function queueReturnEmail({
  db,
  crypto,
  content,
}: {
  db: SqliteDatabase
  crypto: PortalCrypto
  content: Extract<EmailContent, { kind: 'return_code' | 'return_received' | 'return_update' }>
}) {
  writer(db, crypto).queueReply(content)
}
