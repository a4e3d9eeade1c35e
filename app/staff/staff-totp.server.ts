import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'

/**
 * The authenticator-app factor, RFC 6238 as every app implements it: SHA-1,
 * six digits, 30-second steps, and one step either side accepted for a
 * phone's clock that is a little off. The arithmetic is the library's; what
 * this module adds is the time step a code matched, which the caller spends
 * (db/staff-factors.ts) so that no code signs in twice.
 */

const PERIOD_SECONDS = 30
// Enough for a clock 30 s off either way; more would widen the window a stolen code is good in.
const WINDOW_STEPS = 1
// The name an app lists the account under, beside the staff member's address.
const ISSUER = 'Sekaimon support'

const totpFor = (secret: string, label = '') =>
  new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  })

/** A new secret: 160 bits from the CSPRNG (RFC 4226's recommended length), as base32. */
export function newTotpSecret() {
  return new Secret({ size: 20 }).base32
}

/** The time step `code` matches within the window at `now`, or undefined when it matches none. */
export function matchedTotpStep(secret: string, code: string, now: Date): number | undefined {
  const timestamp = now.getTime()
  const delta = totpFor(secret).validate({ token: code, timestamp, window: WINDOW_STEPS })
  if (delta === null) return undefined
  return Math.floor(timestamp / 1000 / PERIOD_SECONDS) + delta
}

/** The code an app would show at `now`: for the demo's own tests and tools, never sent anywhere. */
export function totpCodeAt(secret: string, now: Date) {
  return totpFor(secret).generate({ timestamp: now.getTime() })
}

export type TotpOffer = {
  /** The key as an app's "enter a setup key" screen wants it, in groups of four. */
  keyText: string
  uri: string
  /** The QR code of `uri`, drawn on the server so enrolment needs no script. */
  qrSvg: string
}

/** What the enrolment page shows for a secret: a QR code, the key as text, and the URI. */
export async function totpOffer(secret: string, accountLabel: string): Promise<TotpOffer> {
  const uri = totpFor(secret, accountLabel).toString()
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return { keyText: secret.match(/.{1,4}/g)?.join(' ') ?? secret, uri, qrSvg }
}
