import { closeSync, fchmodSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { z } from 'zod'

/**
 * While a portal serves a database it says so in a file beside it,
 * `<database>.serving`, holding its process ID: `npm run restore` must not
 * swap a database out from under a portal that is serving it. SQLite keeps no
 * list of who has a file open, and a portal may serve for a while before its
 * first query opens the file, so the marker is written before listening and
 * removed when the process exits. A marker left by a process that died
 * without exiting (SIGKILL, power loss) names a process that no longer exists
 * and is ignored. Restore also asks SQLite for an exclusive lock
 * (`holdExclusively` in ~db/backup), which catches any other process that has
 * the file open, marker or not.
 */

export function servingMarkerPath(databasePath: string) {
  return `${databasePath}.serving`
}

/** Writes the marker for this process; it goes when the process exits. */
export function markServing(databasePath: string) {
  if (databasePath === ':memory:') return
  const path = servingMarkerPath(databasePath)
  rmSync(path, { force: true })
  const descriptor = openSync(path, 'wx', 0o600)
  fchmodSync(descriptor, 0o600)
  writeSync(descriptor, JSON.stringify({ pid: process.pid }))
  closeSync(descriptor)
  process.once('exit', () => {
    // Only its own: another portal started on the same file since has written its own.
    if (servingProcess(databasePath) === process.pid) rmSync(path, { force: true })
  })
}

const marker = z.object({
  pid: z
    .number()
    .int()
    .positive()
    .max(2 ** 31),
})

/** The live process serving the database, if any (a marker naming a dead process is stale). */
export function servingProcess(databasePath: string): number | undefined {
  let text: string
  try {
    text = readFileSync(servingMarkerPath(databasePath), 'utf8').slice(0, 200)
  } catch {
    return undefined
  }
  let parsed: z.ZodSafeParseResult<z.infer<typeof marker>>
  try {
    parsed = marker.safeParse(JSON.parse(text))
  } catch {
    return undefined
  }
  if (!parsed.success) return undefined
  const { pid } = parsed.data
  try {
    process.kill(pid, 0)
    return pid
  } catch (error) {
    // EPERM: it exists but belongs to another user; only ESRCH says it is gone.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined
  }
}
