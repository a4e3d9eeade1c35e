import { and, asc, eq, inArray, isNull } from 'drizzle-orm'
import type { SqliteDatabase } from './client'
import {
  letterCodeContext,
  MessageReferenceTaken,
  messageAddressContext,
  messageReferenceContext,
  type NewMessage,
  outboxContentContext,
  outboxPriorityOf,
} from './notifications'
import { messages, notifications, outboxMessages, type PrinterRowKind, printerReprints } from './schema'
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
export function replaceNotice(db: SqliteDatabase, keyring: Keyring, resend: NoticeResend): boolean {
  const { message } = resend
  const current = db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.humanId, message.humanId), eq(notifications.state, 'issued')))
    .get()
  if (!current) return false
  // Taken under either index key, as the notification writer checks it.
  const taken = db
    .select({ id: messages.id })
    .from(messages)
    .where(inArray(messages.referenceIndex, [...message.referenceDigests]))
    .get()
  if (taken) throw new MessageReferenceTaken(0)
  const inserted = db
    .insert(messages)
    .values({
      referenceIndex: message.referenceDigests[0],
      humanId: message.humanId,
      channel: message.channel,
      purpose: message.purpose,
    })
    .onConflictDoNothing()
    .returning({ id: messages.id })
    .get()
  if (!inserted) throw new MessageReferenceTaken(0)
  db.update(messages)
    .set({
      referenceSealed: seal({
        keyring,
        context: messageReferenceContext(inserted.id),
        plaintext: message.reference,
      }),
      addressSealed: seal({
        keyring,
        context: messageAddressContext(inserted.id),
        plaintext: message.address,
      }),
    })
    .where(eq(messages.id, inserted.id))
    .run()
  db.update(notifications)
    .set({
      channel: message.channel,
      messageId: inserted.id,
      letterCodeIndex: resend.letterCodeIndex,
      letterCodeSealed: seal({
        keyring,
        context: letterCodeContext(inserted.id),
        plaintext: resend.letterCode,
      }),
      letterCodeFailures: 0,
      letterCodeLockedAt: null,
    })
    .where(eq(notifications.id, current.id))
    .run()
  if (message.channel === 'email') {
    db.insert(outboxMessages)
      .values({
        messageId: inserted.id,
        priority: outboxPriorityOf(message.purpose),
        contentSealed: seal({
          keyring,
          context: outboxContentContext({ id: 0, messageId: inserted.id }),
          plaintext: JSON.stringify(resend.emailContent),
        }),
      })
      .run()
  } else {
    db.insert(printerReprints)
      .values({
        messageId: inserted.id,
        kind: message.channel,
        rowSealed: seal({
          keyring,
          context: reprintRowContext(inserted.id),
          plaintext: JSON.stringify(resend.printerRow ?? []),
        }),
      })
      .run()
  }
  return true
}

export type WaitingReprint = { id: number; kind: PrinterRowKind; row: string[] }

/** Paper resends not yet in a printer file, oldest first, opened for writing into one. */
export function listWaitingReprints(db: SqliteDatabase, keyring: Keyring): WaitingReprint[] {
  return db
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
    .flatMap(({ id, messageId, kind, rowSealed }) =>
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
export function markReprintsWritten(db: SqliteDatabase, ids: number[], now: Date) {
  let marked = 0
  // In slices, well under SQLite's limit on bound parameters.
  for (let start = 0; start < ids.length; start += 500) {
    marked += db
      .update(printerReprints)
      .set({ writtenAt: now, rowSealed: null })
      .where(inArray(printerReprints.id, ids.slice(start, start + 500)))
      .run().changes
  }
  return marked
}
