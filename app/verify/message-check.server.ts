import { createHash, timingSafeEqual } from 'node:crypto'
import { readMessageReference } from '~/codes/message-reference.server'
import type { PortalDatabase } from '~db/database'
import { findMessageByReference } from '~db/messages'
import { normaliseEmail, normaliseIdentifier, normalisePostalCode } from '~db/normalise'
import { messageAddressContext } from '~db/notifications'
import type { PortalCrypto } from '~db/portal-crypto'
import { type Keyring, seal, unseal } from '~db/seal'

/**
 * "Is this message really from us?": the reference printed on an e-mail,
 * postcard or handout, and the address it came to (the e-mail address, the
 * postal code for a postcard) or, for a handout, the staff ID it was for. The answer is only whether we sent it; an unknown
 * reference and a known one with another address answer alike, after the same
 * work (a dummy is opened when nothing was found). A typo the check symbol
 * catches looks nothing up.
 */

export type MessageCheck = 'sent' | 'not_sent' | 'check_the_reference'

export async function checkMessage(
  { db, crypto }: { db: PortalDatabase; crypto: PortalCrypto },
  { reference, address, staffId }: { reference: string; address?: string; staffId?: string },
): Promise<MessageCheck> {
  const canonical = readMessageReference(reference)
  if (!canonical) return 'check_the_reference'
  const message = await findMessageByReference(db, crypto.lookup('message-ref', canonical))
  const sealed = message?.addressSealed
  const stored =
    message && sealed
      ? unseal({ keyring: crypto.keyring, context: messageAddressContext(message.id), sealed }).toString(
          'utf8',
        )
      : openDummy(crypto.keyring)
  // The dummy is read as an e-mail address too, for the same work; it is never what is matched.
  const key = addressKey(message?.channel ?? 'email', stored)
  // A handout made before handouts kept their staff ID has nothing to compare with.
  const expected = message && sealed ? key : 'none'
  // Both compared every time, typed or not, so the answer takes as long whichever was given.
  const byAddress = sameKey(typedKey(address ?? ''), expected)
  const byStaffId = sameKey(typedStaffIdKey(staffId ?? ''), expected)
  return byAddress || byStaffId ? 'sent' : 'not_sent'
}

/** Whether a typed address can be one: an e-mail address or a postal code. */
export function isAddressLike(typed: string) {
  return normaliseEmail(typed) !== undefined || normalisePostalCode(typed) !== undefined
}

/** What a stored address is matched as: the e-mail address, or a postcard's postal code (`〒123-4567 …`). */
function addressKey(channel: string, stored: string) {
  if (channel === 'email') return `email:${normaliseEmail(stored) ?? ''}`
  if (channel === 'postcard')
    return `postal:${normalisePostalCode(stored.trim().split(/\s+/)[0] ?? '') ?? ''}`
  if (channel === 'handout') return `id:${normaliseIdentifier(stored) ?? ''}`
  return 'none'
}

function typedKey(typed: string) {
  const email = normaliseEmail(typed)
  if (email) return `email:${email}`
  const postalCode = normalisePostalCode(typed)
  return postalCode ? `postal:${postalCode}` : 'typed:nothing'
}

function typedStaffIdKey(typed: string) {
  const id = normaliseIdentifier(typed)
  return id ? `id:${id}` : 'typed:nothing'
}

/** Compared as digests: equal lengths, and no time that depends on where they differ. */
function sameKey(typed: string, expected: string) {
  const digest = (value: string) => createHash('sha256').update(value).digest()
  return timingSafeEqual(digest(typed), digest(expected))
}

// Sealed once per keyring and opened on every miss, so a miss costs what a hit does.
const DUMMY_CONTEXT = 'messages:none:address'
const dummies = new WeakMap<Keyring, Buffer>()

function openDummy(keyring: Keyring) {
  let sealed = dummies.get(keyring)
  if (!sealed) {
    sealed = seal({ keyring, context: DUMMY_CONTEXT, plaintext: 'no-one@example.invalid' })
    dummies.set(keyring, sealed)
  }
  return unseal({ keyring, context: DUMMY_CONTEXT, sealed }).toString('utf8')
}

/** The addresses and domains our messages come from, for the page to list. */
export function officialSenders({ mailFrom, supportEmail }: { mailFrom: string; supportEmail: string }) {
  const addresses = [...new Set([addressIn(mailFrom), supportEmail].map((address) => address.toLowerCase()))]
  const domains = [...new Set(addresses.map((address) => address.slice(address.lastIndexOf('@') + 1)))]
  return { addresses, domains }
}

/** `Sekaimon <no-reply@sekaimon.com>` or a bare address: the address. */
function addressIn(mailbox: string) {
  return (mailbox.match(/<([^<>\s]+@[^<>\s]+)>/)?.[1] ?? mailbox).trim()
}
