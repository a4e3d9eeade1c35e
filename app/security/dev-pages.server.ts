import { isIPv4 } from 'node:net'
import type { AppLoadContext } from '@remix-run/node'
import { getConfig } from '~/config.server'
import { db } from '~/db.server'
import { holdsOnlyDemoData } from '~db/data-origin'
import { clientIp } from './client-ip.server'

/**
 * The development pages (/dev/*) fail closed: they answer 404 in production,
 * to any client that is not on this machine (whatever address the server
 * listens on, and with `TRUST_PROXY`, the client the proxy names), and, for
 * pages that show personal data in clear, once the database holds anything
 * but generated demo people.
 */
export function requireDevClient(context: Pick<AppLoadContext, 'clientIp'>) {
  if (getConfig().isProduction || !isLoopback(clientIp(context))) throw notFound()
}

/** As `requireDevClient`, and only while every person in the database is generated demo data. */
export async function requireDevClientAndDemoData(context: Pick<AppLoadContext, 'clientIp'>) {
  requireDevClient(context)
  if (!(await holdsOnlyDemoData(db()))) throw notFound()
}

export function isLoopback(ip: string) {
  if (isIPv4(ip)) return ip.startsWith('127.')
  return ip === '::1'
}

function notFound() {
  return new Response(null, { status: 404 })
}
