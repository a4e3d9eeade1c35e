import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import { type PortalDatabase, prepared } from './database'
import {
  letterCodeContext,
  MessageReferenceTaken,
  messageAddressContext,
  messageReferenceContext,
  type NewMessage,
  outboxContentContext,
  outboxPriorityOf,
} from './notifications'
import { messages, notifications, type PrinterRowKind, printerReprints } from './schema'
import { type Keyring, seal, unsealJson } from './seal'

/**
 * A human's notice sent again at a caller's request: a new message with a new
 * reference, and the one notification row per human pointed at it with a new
 * letter code, so the old code stops working in the same statement. E-mail
 * goes to the outbox; paper waits sealed in `printer_reprints` for the next
 * printer file. The caller's transaction holds this and its audit entry.
 */

export type NoticeResend = {
  message: NewMessage & { channel: 'email' | PrinterRowKind; address: string }
  letterCodeIndex: Buffer
  /** The new letter code in its canonical form, in the clear: sealed here. */
  letterCode: string
  /** E-mail: what the sender writes and sends, in the clear, sealed here. */
  emailContent?: unknown
  /** Paper: the row as the printer file prints it (letter code, name, address), sealed here. */
  printerRow?: string[]
}

export const reprintRowContext = (messageId: number) => `printer_reprints:${messageId}:row`

/**
 * False when the human has no issued notice to replace (never notified, or a
 * notify run still writing their file): a resend is not a first notice.
 * Throws MessageReferenceTaken when the new reference is already used.
 */
export async function replaceNotice(
  db: PortalDatabase,
  keyring: Keyring,
  resend: NoticeResend,
): Promise<boolean> {
  const { message } = resend
  const current = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.humanId, message.humanId), eq(notifications.state, 'issued')))
    .get()
  if (!current) return false
  // Taken under either index key, as the notification writer checks it.
  const taken = await db
    .select({ id: messages.id })
    .from(messages)
    .where(inArray(messages.referenceIndex, [...message.referenceDigests]))
    .get()
  if (taken) throw new MessageReferenceTaken(0)
  // Inserts written out by hand: drizzle's give the ID column a null, which PostgreSQL's identity refuses.
  const messageId = await prepared(
    db,
    `insert into messages (reference_index, human_id, channel, purpose) values (?, ?, ?, ?)
     on conflict do nothing returning id`,
  ).value<number>(message.referenceDigests[0], message.humanId, message.channel, message.purpose)
  if (messageId === undefined) throw new MessageReferenceTaken(0)
  await db
    .update(messages)
    .set({
      referenceSealed: seal({
        keyring,
        context: messageReferenceContext(messageId),
        plaintext: message.reference,
      }),
      addressSealed: seal({
        keyring,
        context: messageAddressContext(messageId),
        plaintext: message.address,
      }),
    })
    .where(eq(messages.id, messageId))
    .run()
  await db
    .update(notifications)
    .set({
      channel: message.channel,
      messageId,
      letterCodeIndex: resend.letterCodeIndex,
      letterCodeSealed: seal({
        keyring,
        context: letterCodeContext(messageId),
        plaintext: resend.letterCode,
      }),
      letterCodeFailures: 0,
      letterCodeLockedAt: null,
    })
    .where(eq(notifications.id, current.id))
    .run()
  if (message.channel === 'email') {
    await prepared(
      db,
      'insert into outbox_messages (message_id, priority, content_sealed) values (?, ?, ?)',
    ).run(
      messageId,
      outboxPriorityOf(message.purpose),
      seal({
        keyring,
        context: outboxContentContext({ id: 0, messageId }),
        plaintext: JSON.stringify(resend.emailContent),
      }),
    )
  } else {
    await prepared(db, 'insert into printer_reprints (message_id, kind, row_sealed) values (?, ?, ?)').run(
      messageId,
      message.channel,
      seal({
        keyring,
        context: reprintRowContext(messageId),
        plaintext: JSON.stringify(resend.printerRow ?? []),
      }),
    )
  }
  return true
}

export type WaitingReprint = { id: number; kind: PrinterRowKind; row: string[] }

/** Paper resends not yet in a printer file, oldest first, opened for writing into one. */
export async function listWaitingReprints(db: PortalDatabase, keyring: Keyring): Promise<WaitingReprint[]> {
  const waiting = await db
    .select({
      id: printerReprints.id,
      messageId: printerReprints.messageId,
      kind: printerReprints.kind,
      rowSealed: printerReprints.rowSealed,
    })
    .from(printerReprints)
    .where(isNull(printerReprints.writtenAt))
    .orderBy(asc(printerReprints.id))
    .all()
  return waiting.flatMap(({ id, messageId, kind, rowSealed }) =>
    rowSealed
      ? [
          {
            id,
            kind,
            row: unsealJson<string[]>({
              keyring,
              context: reprintRowContext(messageId),
              sealed: rowSealed,
            }),
          },
        ]
      : [],
  )
}

/**
 * Their file is in place: the rows are written, and the sealed copies (which
 * hold letter codes) are dropped, as a printed file is deleted once printed.
 */
export async function markReprintsWritten(db: PortalDatabase, ids: number[], now: Date): Promise<number> {
  let marked = 0
  // In slices, well under SQLite's limit on bound parameters.
  for (let start = 0; start < ids.length; start += 500) {
    const written = await db
      .update(printerReprints)
      .set({ writtenAt: now, rowSealed: null })
      .where(inArray(printerReprints.id, ids.slice(start, start + 500)))
      .returning({ id: printerReprints.id })
      .all()
    marked += written.length
  }
  return marked
}
