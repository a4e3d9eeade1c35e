import { isIPv4, isIPv6 } from 'node:net'
import type { AppLoadContext } from '@remix-run/node'

/**
 * The client's IP as the server determined it (see app/server/load-context.ts):
 * from the socket, or from X-Forwarded-For only as far as `TRUST_PROXY` allows.
 * An IPv4 address seen through an IPv6 socket (`::ffff:192.0.2.1`) is given as
 * plain IPv4, so one client has one address whichever way it connected.
 */
export function clientIp(context: Pick<AppLoadContext, 'clientIp'>): string {
  const ip = context.clientIp
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1]
  return mapped && isIPv4(mapped) ? mapped : ip
}

/**
 * What per-IP limits count under: an IPv4 address as it is, an IPv6 address as
 * its /64, since one subscriber is usually handed a whole /64 and could
 * otherwise take a fresh address for every try.
 */
export function ipLimitKey(ip: string): string {
  if (!isIPv6(ip)) return ip
  const groups = ipv6Groups(ip)
  return `${groups.slice(0, 4).join(':')}::/64`
}

/**
 * The wider block an IPv6 client's limits also count under, its /48 (a site's
 * usual allocation, 65,536 /64s), or nothing for IPv4. Its limits are higher:
 * many subscribers of one provider may share it.
 */
export function ipBlockLimitKey(ip: string): string | undefined {
  if (!isIPv6(ip)) return undefined
  return `${ipv6Groups(ip).slice(0, 3).join(':')}::/48`
}

/** The eight 16-bit groups of a valid IPv6 address, in lower-case hex without leading zeros. */
function ipv6Groups(ip: string): string[] {
  const address = ip.split('%')[0] ?? ip
  const toGroups = (part: string) => {
    if (part === '') return []
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [group]
      const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number)
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)]
    })
  }
  const [head = '', tail] = address.split('::')
  const front = toGroups(head)
  const back = tail === undefined ? [] : toGroups(tail)
  const zeros = Array.from({ length: 8 - front.length - back.length }, () => '0')
  return [...front, ...zeros, ...back].map((group) => Number.parseInt(group, 16).toString(16))
}
