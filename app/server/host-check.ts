import type { RequestHandler } from 'express'
import { refuse } from './plain-refusal'

/**
 * Answers only requests addressed to the portal by name: its PUBLIC_URL host
 * (with PUBLIC_URL's port exactly, the scheme's default port written or not),
 * or a loopback name on any port (a developer's machine, tests on a random
 * port, a reverse proxy on the same machine forwarding to 127.0.0.1). Anything
 * else is 421 Misdirected Request, so a DNS-rebinding page (evil.example made
 * to resolve to this machine) reaches nothing. Production too.
 *
 * Behind `TRUST_PROXY` proxies, an X-Forwarded-Host (the name the visitor
 * used, which Express and Remix then believe) must be allowed as well.
 */
export function refuseUnknownHosts({
  publicUrl,
  trustProxy,
}: {
  publicUrl: string
  trustProxy: number
}): RequestHandler {
  const allowed = allowedHost(publicUrl)
  return (req, res, next) => {
    const names = [req.get('Host')]
    const forwarded = trustProxy > 0 ? req.get('X-Forwarded-Host') : undefined
    // The last name is the one the nearest (trusted) proxy wrote; earlier ones a client may have sent.
    if (forwarded !== undefined) names.push(forwarded.split(',').at(-1)?.trim())
    if (names.every(allowed)) return next()
    refuse(res, 421)
  }
}

const HOST_SYNTAX = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Whether a Host header value (host, optional port) names this portal. */
export function allowedHost(publicUrl: string) {
  const portal = new URL(publicUrl)
  return (host: string | undefined) => {
    if (host === undefined || host.length > 260 || !HOST_SYNTAX.test(host)) return false
    let url: URL
    try {
      // Parsed with PUBLIC_URL's scheme, so `portal.example:443` and `portal.example` are one host for https.
      url = new URL(`${portal.protocol}//${host}`)
    } catch {
      return false
    }
    const hostname = url.hostname.replace(/\.$/, '')
    if (LOOPBACK_NAMES.has(hostname) || hostname.endsWith('.localhost')) return true
    return hostname === portal.hostname && url.port === portal.port
  }
}
