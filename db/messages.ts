import { type PortalDatabase, prepared } from './client'
import type { MessageChannel } from './schema'

/**
 * Messages as the "is this really from us?" check sees them: the one a
 * reference's keyed hash finds, with how it went and where to (still sealed).
 */

export type MessageFound = {
  channel: MessageChannel
  /** Sealed under `messageAddressContext(referenceIndex)`; null for a handout, which has no address. */
  addressSealed: Buffer | null
}

export function findMessageByReference(db: PortalDatabase, referenceIndex: Buffer): MessageFound | undefined {
  const row = prepared(
    db,
    'select channel, address_sealed as addressSealed from messages where reference_index = ?',
  ).get(referenceIndex) as { channel: MessageChannel; addressSealed: Buffer | null } | undefined
  return row ? { channel: row.channel, addressSealed: row.addressSealed } : undefined
}
