import {
  closeSync,
  fchmodSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import type { Config } from '~/config.server'

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
 *
 * A database on a PostgreSQL server has no file here: the marker is
 * `portal.serving` in DATA_DIRECTORY and says only that a portal serves from
 * this machine (other machines' nodes write their own).
 */

export function servingMarkerPath(databasePath: string) {
  return `${databasePath}.serving`
}

/** This configuration's marker: beside the SQLite file, as always, or in DATA_DIRECTORY. */
export function servingMarkerFor(
  config: Pick<Config, 'DATABASE_BACKEND' | 'DATABASE_URL' | 'DATA_DIRECTORY'>,
) {
  return config.DATABASE_BACKEND === 'sqlite'
    ? servingMarkerPath(config.DATABASE_URL)
    : join(config.DATA_DIRECTORY, 'portal.serving')
}

/** Writes the marker for this process; it goes when the process exits. */
export function markServing(config: Pick<Config, 'DATABASE_BACKEND' | 'DATABASE_URL' | 'DATA_DIRECTORY'>) {
  if (config.DATABASE_BACKEND === 'sqlite' && config.DATABASE_URL === ':memory:') return
  const path = servingMarkerFor(config)
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  // Written whole under a name of its own, then renamed over any marker there:
  // two portals starting at once on one machine never meet half a file or refuse each other.
  const written = `${path}.${process.pid}`
  rmSync(written, { force: true })
  const descriptor = openSync(written, 'wx', 0o600)
  fchmodSync(descriptor, 0o600)
  writeSync(descriptor, JSON.stringify({ pid: process.pid }))
  closeSync(descriptor)
  renameSync(written, path)
  process.once('exit', () => {
    // Only its own: another portal started on the same file since has written its own.
    if (markedProcess(path) === process.pid) rmSync(path, { force: true })
  })
}

const marker = z.object({
  pid: z
    .number()
    .int()
    .positive()
    .max(2 ** 31),
})

/** The live process serving the SQLite database at this path, if any (a marker naming a dead process is stale). */
export function servingProcess(databasePath: string): number | undefined {
  return markedProcess(servingMarkerPath(databasePath))
}

/** The live process serving this configuration's database from this machine, if any. */
export function servingProcessFor(
  config: Pick<Config, 'DATABASE_BACKEND' | 'DATABASE_URL' | 'DATA_DIRECTORY'>,
): number | undefined {
  return markedProcess(servingMarkerFor(config))
}

function markedProcess(markerPath: string): number | undefined {
  let text: string
  try {
    text = readFileSync(markerPath, 'utf8').slice(0, 200)
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
