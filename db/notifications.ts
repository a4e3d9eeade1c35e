import type { LookupDigests } from './blind-index'
import { type PortalDatabase, prepared, withTransaction } from './database'
import { type MessageChannel, type MessagePurpose, OUTBOX_PRIORITIES, type OutboxPriority } from './schema'
import { type Keyring, seal } from './seal'

/**
 * Messages, notifications and the outbox, written together: a notification,
 * the message that carries it and (for e-mail) the outbox entry that sends it
 * exist all at once or not at all.
 */

export type NewMessage = {
  humanId: number
  channel: MessageChannel
  purpose: MessagePurpose
  /**
   * The reference's digests: the first is stored; a reference whose digest under
   * either key is already some message's is taken, so no lookup can ever find two.
   */
  referenceDigests: LookupDigests
  /** The reference in its canonical form, in the clear: sealed here, so a new index key can recompute its digest. */
  reference: string
  /** The e-mail or postal address it goes to, in the clear: sealed here. */
  address?: string
}

export type NewNotification = {
  message: NewMessage
  letterCodeIndex: Buffer
  /** The letter code in its canonical form, in the clear: sealed here, as the reference is. */
  letterCode: string
  /** E-mail only: what the sender needs to write and send it, in the clear: sealed here. */
  emailContent?: unknown
}

/** Another message already has this reference (a 1 in 10^13 chance): draw a new one and retry. */
export class MessageReferenceTaken extends Error {
  override name = 'MessageReferenceTaken'
  constructor(readonly position: number) {
    super('message reference already taken')
  }
}

export const messageAddressContext = (messageId: number) => `messages:${messageId}:address`
export const messageReferenceContext = (messageId: number) => `messages:${messageId}:reference`
/**
 * A letter code is sealed for the message that carries it: a resend points the
 * notification at a new message with a new code, so the pair changes together.
 */
export const letterCodeContext = (messageId: number) => `notifications:message:${messageId}:letter-code`
/**
 * What an outbox row's content is sealed under: its message's, or for a reply
 * that is no one's message (no message row) its own row's, so a sealed content
 * only opens in the row it was written for.
 */
export const outboxContentContext = ({ id, messageId }: { id: number; messageId: number | null }) =>
  messageId === null ? `outbox_messages:reply:${id}:content` : `outbox_messages:${messageId}:content`

/**
 * How soon an e-mail goes, by what it is for: the mass notice waits behind
 * everything else, since a one-time code (10 minutes to live) or a security
 * notice must arrive in seconds even while hundreds of thousands of notices drain.
 */
export const outboxPriorityOf = (purpose: MessagePurpose): OutboxPriority =>
  purpose === 'notification' ? OUTBOX_PRIORITIES.bulk : OUTBOX_PRIORITIES.urgent

export function createNotificationWriter(db: PortalDatabase, keyring: Keyring) {
  const recordMessage = async (tx: PortalDatabase, message: NewMessage, position: number) => {
    const [stored, previous] = message.referenceDigests
    // Taken under the previous index key too: a clash there would give a lookup two messages, and
    // the rotation a duplicate it could never write.
    const id = await prepared(
      tx,
      `
        insert into messages (reference_index, human_id, channel, purpose)
        select ?, ?, ?, ? where not exists (select 1 from messages where reference_index in (?, ?))
        returning id`,
    ).value<number>(stored, message.humanId, message.channel, message.purpose, stored, previous)
    if (id === undefined) throw new MessageReferenceTaken(position)
    // The reference and address are sealed for the row's ID, known once the row is in: same
    // transaction, one more statement.
    await prepared(tx, 'update messages set reference_sealed = ?, address_sealed = ? where id = ?').send(
      seal({ keyring, context: messageReferenceContext(id), plaintext: message.reference }),
      message.address
        ? seal({ keyring, context: messageAddressContext(id), plaintext: message.address })
        : null,
      id,
    )
    return id
  }

  const enqueueEmail = (tx: PortalDatabase, messageId: number, purpose: MessagePurpose, content: unknown) =>
    prepared(tx, 'insert into outbox_messages (message_id, priority, content_sealed) values (?, ?, ?)').send(
      messageId,
      outboxPriorityOf(purpose),
      seal({
        keyring,
        context: outboxContentContext({ id: 0, messageId }),
        plaintext: JSON.stringify(content),
      }),
    )

  return {
    /**
     * Writes a batch in one transaction. E-mails are issued at once (the outbox
     * sends them); postcards and handouts stay staged until their file is in place.
     */
    writeBatch: (batch: NewNotification[]) =>
      withTransaction(db, async (tx) => {
        for (const [position, notification] of batch.entries()) {
          const { message } = notification
          const messageId = await recordMessage(tx, message, position)
          const state = message.channel === 'email' ? 'issued' : 'staged'
          await prepared(
            tx,
            `
              insert into notifications (human_id, channel, message_id, state, letter_code_index, letter_code_sealed)
              values (?, ?, ?, ?, ?, ?)`,
          ).send(
            message.humanId,
            message.channel,
            messageId,
            state,
            notification.letterCodeIndex,
            seal({ keyring, context: letterCodeContext(messageId), plaintext: notification.letterCode }),
          )
          if (message.channel === 'email') {
            await enqueueEmail(tx, messageId, message.purpose, notification.emailContent)
          }
        }
      }),
    /** One message outside a notification (a code by e-mail, an account notice): recorded and queued. */
    queueEmail: (message: NewMessage, content: unknown) =>
      withTransaction(db, async (tx) => {
        await enqueueEmail(tx, await recordMessage(tx, message, 0), message.purpose, content)
      }),
    /**
     * An urgent e-mail that is no one's message (the "not affected" reply to an
     * address nobody in the data holds): no message row, no reference, the
     * address only inside the sealed content, dropped once sent like any other.
     */
    queueReply: (content: unknown) =>
      withTransaction(db, async (tx) => {
        const id = (await prepared(
          tx,
          'insert into outbox_messages (message_id, priority, content_sealed) values (null, ?, null) returning id',
        ).value<number>(OUTBOX_PRIORITIES.urgent)) as number
        const context = outboxContentContext({ id, messageId: null })
        await prepared(tx, 'update outbox_messages set content_sealed = ? where id = ?').send(
          seal({ keyring, context, plaintext: JSON.stringify(content) }),
          id,
        )
      }),
  }
}

/** The files are in place: their staged notifications now count. */
export async function issueStagedNotifications(db: PortalDatabase) {
  return (await prepared(db, "update notifications set state = 'issued' where state = 'staged'").run())
    .changes
}

/**
 * Staged notifications of a run that never finished: their codes were only in a
 * file that never took its place, so they are as if never made.
 */
export async function dropStagedNotifications(db: PortalDatabase) {
  return withTransaction(db, async (tx) => {
    const staged = await prepared<{ messageId: number }>(
      tx,
      `select message_id as "messageId" from notifications where state = 'staged'`,
    ).all()
    await prepared(tx, "delete from notifications where state = 'staged'").run()
    const remove = prepared(tx, 'delete from messages where id = ?')
    for (const { messageId } of staged) await remove.run(messageId)
    return staged.length
  })
}

export async function countNotifications(db: PortalDatabase) {
  return prepared<{ channel: MessageChannel; count: number }>(
    db,
    "select channel, count(*) as count from notifications where state = 'issued' group by channel",
  ).all()
}
