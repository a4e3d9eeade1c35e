import { createServer } from 'node:net'
import { expect } from 'vitest'
import { readDatabase } from './check-visitor'
import { runPortalCommand } from './notified-population'
import type { PortalServer } from './portal-server'

/**
 * What the SIGKILL tests share: a request cut off by a kill, the file's
 * soundness and the audit chain checked afterwards.
 */

/**
 * Sends `request`, SIGKILLs the server `delayMs` later and waits until it is
 * gone; says whether the request was answered before the kill or cut off.
 */
export async function killDuring(server: PortalServer, delayMs: number, request: () => Promise<unknown>) {
  const answered = request().then(
    () => 'answered' as const,
    () => 'cut off' as const,
  )
  await new Promise((resolve) => setTimeout(resolve, delayMs))
  process.kill(server.pid, 'SIGKILL')
  const outcome = await answered
  await server.stop()
  return outcome
}

/** `PRAGMA integrity_check` of the file the killed server left. */
export const integrityOf = (databasePath: string) =>
  readDatabase(databasePath, (db) => db.pragma('integrity_check', { simple: true }))

/** `npm run audit:verify` on the file: every entry, the kills' last ones included, chains. */
export async function expectAuditChainVerifies({
  directory,
  databasePath,
  secrets,
}: {
  directory: string
  databasePath: string
  secrets: Record<string, string>
}) {
  const result = await runPortalCommand('app/cli/audit.ts', {
    cwd: directory,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: databasePath, ...secrets },
    args: ['verify', '--json'],
  })
  expect(result.status, result.stderr).toBe(0)
  expect(JSON.parse(result.stdout)).toMatchObject({ ok: true })
}

/** A port free now, so that a server started again after a kill keeps its address (and its visitors' cookies). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}
