import { getConfig } from '~/config.server'

/**
 * Who the portal is to a passkey: the relying party's ID (a domain name) and
 * the origins a ceremony may come from. In production that is PUBLIC_URL and
 * nothing else. On a developer's machine or in tests, where the portal runs on
 * `localhost` at whatever port, the request's own `localhost` origin is taken
 * too (the host check in front of Remix lets only loopback names through).
 * An IP address cannot be a relying party ID, so at `127.0.0.1` passkeys are
 * simply not offered.
 */

export type RelyingParty = { id: string; name: string; origin: string }

const NAME = 'Sekaimon support'

export function relyingParty(request: Request): RelyingParty | undefined {
  const config = getConfig()
  const requested = new URL(request.url)
  const publicUrl = new URL(config.PUBLIC_URL)
  if (requested.origin === publicUrl.origin && !isIpAddress(publicUrl.hostname)) {
    return { id: publicUrl.hostname, name: NAME, origin: publicUrl.origin }
  }
  const local = requested.hostname === 'localhost' || requested.hostname.endsWith('.localhost')
  if (!config.isProduction && local) {
    return { id: requested.hostname, name: NAME, origin: requested.origin }
  }
  return undefined
}

function isIpAddress(hostname: string) {
  return /^[0-9.]+$/.test(hostname) || hostname.startsWith('[')
}
