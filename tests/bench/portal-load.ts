import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import type autocannon from 'autocannon'
import { createSessionStore } from '~/session/session.server'
import { openDatabase } from '~db/client'
import type { PortalDatabase } from '~db/database'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { portalCommand } from '../support/portal-command'

/** What the load benchmarks share: a production portal to drive, and sessions and tokens to drive it with. */

export type BenchPortal = { url: string; child: ChildProcess }

/**
 * `npm start` in production on a free port over `databaseUrl` (a SQLite file
 * or a PostgreSQL database), its mail going to `smtpUrl`; resolves once it
 * listens. `dataDirectory`: this machine's own files, needed with PostgreSQL.
 */
export async function startProductionPortal({
  databaseUrl,
  dataDirectory,
  secrets,
  smtpUrl,
}: {
  databaseUrl: string
  dataDirectory?: string
  secrets: Record<string, string>
  smtpUrl: string
}): Promise<BenchPortal> {
  const port = 3900 + Math.floor(Math.random() * 90)
  const url = `http://localhost:${port}`
  const start = portalCommand('app/cli/start.ts')
  const child = spawn(start.command, start.args, {
    env: {
      ...process.env,
      ...start.env,
      SHOP_API_TOKEN: randomBytes(32).toString('base64url'),
      ...secrets,
      NODE_ENV: 'production',
      PORT: String(port),
      PUBLIC_URL: url,
      DATABASE_URL: databaseUrl,
      ...(dataDirectory ? { DATA_DIRECTORY: dataDirectory } : {}),
      MAIL_FROM: 'Sekaimon <no-reply@portal.example.jp>',
      SMTP_URL: smtpUrl,
      SMTP_RATE: '1000',
      IP_CHECK_LIMIT: '100000000',
      IP_FAILURE_LIMIT: '100000000',
      // One loopback client stands for thousands of members here.
      IP_ACCOUNT_LIMIT: '100000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) resolve()
    })
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)))
  })
  return { url, child }
}

export async function stopPortal(portal: BenchPortal) {
  if (portal.child.exitCode !== null || portal.child.signalCode !== null) return
  const exited = new Promise((resolve) => portal.child.once('exit', resolve))
  portal.child.kill('SIGTERM')
  await exited
}

/** Verified sessions for these humans, made the way the portal makes them; each a `name=value` cookie. */
export async function verifiedSessionCookies({
  databasePath,
  sessionSecret,
  humanIds,
}: {
  databasePath: string
  sessionSecret: string
  humanIds: readonly number[]
}): Promise<string[]> {
  const db = openDatabase(databasePath)
  try {
    return await sessionCookiesIn(sqlitePortalDatabase(db), sessionSecret, humanIds)
  } finally {
    db.$client.close()
  }
}

/** Verified sessions for these humans in `db`, whichever backend it is on; each a `name=value` cookie. */
export async function sessionCookiesIn(
  db: PortalDatabase,
  sessionSecret: string,
  humanIds: readonly number[],
): Promise<string[]> {
  const store = createSessionStore({ db, secrets: [sessionSecret], isProduction: true })
  const cookies: string[] = []
  for (const humanId of humanIds) {
    const setCookie = await store.startVerifiedSession(new Request('http://localhost/'), humanId)
    cookies.push(setCookie.split(';')[0] as string)
  }
  return cookies
}

/** A CSRF cookie and its token, got the way a browser gets them. */
export async function csrfPair(url: string) {
  const response = await fetch(`${url}/check/email`)
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] as string
  const token = (await response.text()).match(/name="csrf" value="([^"]+)"/)?.[1] ?? ''
  return { cookie, token }
}

/** An autocannon request hook that gives each request the next of `values`, round and round. */
export function rotate(field: 'cookie' | 'body', values: readonly string[]) {
  let next = 0
  return (request: autocannon.Request) => {
    const value = values[next++ % values.length] as string
    if (field === 'body') return { ...request, body: value }
    return { ...request, headers: { ...request.headers, cookie: value } }
  }
}

/** Requests by status and the rest, one line for a route. */
/** `expect`: the status, or the statuses, every answer should have. */
export function describeResult(name: string, result: autocannon.Result, expect: number | readonly number[]) {
  const statuses = typeof expect === 'number' ? [expect] : expect
  const expected = statuses.reduce(
    (sum, status) => sum + Number(result.statusCodeStats?.[String(status) as `${number}`]?.count ?? 0),
    0,
  )
  return {
    line:
      `${name.padEnd(28)} ${Math.round(result.requests.average).toLocaleString('en').padStart(6)} req/s, ` +
      `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
      `errors ${result.errors + result.timeouts}, other than ${statuses.join(' or ')}: ${result.requests.total - expected}`,
    unexpected: result.requests.total - expected,
  }
}
