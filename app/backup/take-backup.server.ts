import { existsSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  DatabaseFileProblem,
  type DatabaseReport,
  inspectDatabase,
  type MigrationLevel,
  snapshotDatabase,
} from '~db/backup'
import {
  createPrivateFile,
  exists,
  partialName,
  publish,
  requireFile,
  writePrivately,
} from './private-files.server'

/**
 * `npm run backup -- FILE`: a consistent copy of the database taken while the
 * portal serves, checked whole before it gets its name.
 *
 * Beside it, FILE.audit-checkpoints.jsonl: the signed audit checkpoints,
 * without which `npm run audit:verify` on a restored database could not tell
 * a complete audit log from a truncated one. They are copied before the
 * snapshot is taken: every checkpoint then covers entries the snapshot holds
 * (the log only grows), whereas one written after the snapshot would name
 * entries the backup lacks. A line the portal is still appending is left out.
 */

export type BackupReport = DatabaseReport & {
  file: string
  bytes: number
  checkpointFile: string | undefined
  checkpoints: number
}

export function checkpointsBeside(file: string) {
  return `${file}.audit-checkpoints.jsonl`
}

export function takeBackup({
  database,
  checkpointFile,
  file,
  replace,
}: {
  database: string
  checkpointFile: string
  file: string
  replace: boolean
}): BackupReport {
  requireFile(database, 'database (DATABASE_URL)')
  // With --force the copy would be renamed over the database it was taken from.
  if (samePlace(file, database) || samePlace(file, checkpointFile))
    throw new DatabaseFileProblem(
      `${file} is the database or its checkpoint file: write the backup elsewhere.`,
    )
  if (!replace && existsSync(file)) throw exists(file)
  const temporary = partialName(file)
  const checkpointsCopy = checkpointsBeside(file)
  const checkpointsTemporary = partialName(checkpointsCopy)
  // A dead backup's leftovers under this process's names go first.
  for (const path of [temporary, checkpointsTemporary]) rmSync(path, { force: true })
  try {
    const checkpoints = existsSync(checkpointFile) ? completeLines(readFileSync(checkpointFile)) : undefined
    if (checkpoints) writePrivately(checkpointsTemporary, checkpoints)
    createPrivateFile(temporary)
    const source = snapshotDatabase(database, temporary)
    // The copy is in rollback journal mode: opened read-only, nothing is written beside it.
    const report = inspectDatabase(temporary, { readonly: true, name: `The copy of ${database}` })
    if (!sameLevel(report.migrations, source))
      throw new DatabaseFileProblem(
        `The copy's schema (${report.migrations.applied} migrations) differs from the database's (${source.applied}); nothing was kept.`,
      )
    publish(temporary, file, { replace })
    if (checkpoints) publish(checkpointsTemporary, checkpointsCopy, { replace: true })
    else rmSync(checkpointsCopy, { force: true })
    return {
      ...report,
      file,
      bytes: statSync(file).size,
      checkpointFile: checkpoints ? checkpointsCopy : undefined,
      checkpoints: checkpoints ? countLines(checkpoints) : 0,
    }
  } finally {
    rmSync(temporary, { force: true })
    rmSync(checkpointsTemporary, { force: true })
  }
}

function sameLevel(a: MigrationLevel, b: MigrationLevel) {
  return a.applied === b.applied && a.lastAppliedAt === b.lastAppliedAt
}

const NEWLINE = 0x0a

function completeLines(bytes: Buffer) {
  return bytes.subarray(0, bytes.lastIndexOf(NEWLINE) + 1)
}

function countLines(bytes: Buffer) {
  let lines = 0
  for (const byte of bytes) if (byte === NEWLINE) lines++
  return lines
}

/** Whether two paths name one file (through links too, when both exist). */
export function samePlace(a: string, b: string) {
  if (resolve(a) === resolve(b)) return true
  try {
    return realpathSync(a) === realpathSync(b)
  } catch {
    return false
  }
}
