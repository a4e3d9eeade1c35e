import { copyFileSync, existsSync, linkSync, renameSync, rmSync } from 'node:fs'
import { servingProcess } from '~/server/serving-marker'
import {
  DatabaseFileProblem,
  DatabaseInUse,
  type DatabaseReport,
  holdExclusively,
  inspectDatabase,
  isNewerThanKnown,
  looksLikeSqlite,
} from '~db/backup'
import { copyPrivately, partialName, publish, requireFile, syncFolder } from './private-files.server'
import { checkpointsBeside, samePlace } from './take-backup.server'

/**
 * `npm run restore -- FILE`: puts a backup in the place of the portal's
 * database, in this order, stopping at the first refusal with the database
 * untouched:
 *
 * 1. FILE must be a SQLite database, and no portal may be serving the target
 *    (its marker, ~/server/serving-marker).
 * 2. FILE is copied beside the target (0600) and the copy checked whole:
 *    integrity, foreign keys, a schema this code knows. Nothing so far has
 *    touched the target.
 * 3. No process may have the target open: an exclusive lock, taken through
 *    SQLite and held until the swap is done (`holdExclusively`).
 * 4. The old database keeps a second name, `<db>.before-restore-<time>`, so a
 *    mistaken restore can be undone; then any -wal and -shm of the old file
 *    are removed, and only then does the copy take the database's name. The
 *    order matters: SQLite would replay a write-ahead log found beside the
 *    database into whatever file has its name, and the old database's log
 *    written into the new file would corrupt it. (The lock in step 3 has
 *    already checkpointed the log into the old file, so nothing is lost.)
 *
 * The audit checkpoints beside FILE, if any, become the portal's checkpoint
 * file (the old one is kept the same way): checkpoints signed after the backup
 * was taken name entries the restored log lacks.
 */

export type RestoreReport = DatabaseReport & {
  database: string
  previous: string | undefined
  checkpointFile: string | undefined
  previousCheckpoints: string | undefined
}

export function restoreBackup({
  file,
  database,
  checkpointFile,
  now = new Date(),
}: {
  file: string
  database: string
  checkpointFile: string
  now?: Date
}): RestoreReport {
  requireFile(file, 'backup')
  if (!looksLikeSqlite(file)) throw new DatabaseFileProblem(`${file} is not a SQLite database.`)
  if (samePlace(file, database)) throw new DatabaseFileProblem(`${file} is the database itself.`)
  const serving = servingProcess(database)
  if (serving !== undefined) throw new DatabaseInUse(database, `a portal (process ${serving}) is serving it`)
  const temporary = partialName(`${database}.restore`)
  const checkpointsTemporary = partialName(checkpointFile)
  let lock: { release: () => void } | undefined
  try {
    for (const path of [temporary, checkpointsTemporary]) rmSync(path, { force: true })
    copyPrivately(file, temporary)
    // Opened for writing: a copy of a file in WAL mode needs its shared-memory index to be read.
    // Closing it, the only connection, removes what SQLite made beside it.
    const report = inspectDatabase(temporary, { readonly: false, name: file })
    if (isNewerThanKnown(report.migrations))
      throw new DatabaseFileProblem(
        `${file} comes from a newer version of the portal (${report.migrations.applied} migrations): restore it with that version.`,
      )
    lock = existsSync(database) ? holdExclusively(database) : undefined
    const stamp = now.toISOString().replace(/[:.]/g, '-')
    const previous = lock ? keepUnderSecondName(database, `${database}.before-restore-${stamp}`) : undefined
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${database}${suffix}`, { force: true })
    publish(temporary, database, { replace: true })
    const checkpoints = restoreCheckpoints(file, checkpointFile, checkpointsTemporary, stamp)
    return { ...report, database, previous, ...checkpoints }
  } finally {
    lock?.release()
    for (const path of [temporary, `${temporary}-wal`, `${temporary}-shm`, checkpointsTemporary])
      rmSync(path, { force: true })
  }
}

/** A second name for the file (a hard link: no copy, no moment without a database); a copy where links fail. */
function keepUnderSecondName(path: string, kept: string) {
  try {
    linkSync(path, kept)
  } catch {
    copyFileSync(path, kept)
  }
  syncFolder(kept)
  return kept
}

function restoreCheckpoints(file: string, checkpointFile: string, temporary: string, stamp: string) {
  const fromBackup = checkpointsBeside(file)
  if (!existsSync(fromBackup)) return { checkpointFile: undefined, previousCheckpoints: undefined }
  copyPrivately(fromBackup, temporary)
  let previousCheckpoints: string | undefined
  if (existsSync(checkpointFile)) {
    previousCheckpoints = `${checkpointFile}.before-restore-${stamp}`
    renameSync(checkpointFile, previousCheckpoints)
  }
  publish(temporary, checkpointFile, { replace: true })
  return { checkpointFile, previousCheckpoints }
}
