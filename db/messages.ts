import type { LookupDigests } from './blind-index'
import { type PortalDatabase, prepared } from './database'
import type { Message } from './schema'

/**
 * Messages as the "is this really from us?" check sees them: the one a
 * reference's keyed hash finds, with how it went and where to (still sealed).
 */

/**
 * `addressSealed` is sealed under `messageAddressContext(id)`: the e-mail address, the
 * postcard's address, or the staff or employee ID a handout was for (null for handouts made before).
 */
export type MessageFound = Pick<Message, 'id' | 'channel' | 'addressSealed'>

/** The message a typed reference's digests (under the current index key and the previous one) find. */
export async function findMessageByReference(
  db: PortalDatabase,
  referenceDigests: LookupDigests,
): Promise<MessageFound | undefined> {
  const row = await prepared<MessageFound>(
    db,
    'select id, channel, address_sealed as "addressSealed" from messages where reference_index in (?, ?)',
  ).get(...referenceDigests)
  return row ? { id: row.id, channel: row.channel, addressSealed: row.addressSealed } : undefined
}
