import { chmodSync, existsSync, lstatSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Config } from '~/config.server'
import { PRINTER_FILE_NAME } from './printer-files.server'

/**
 * The folders printer files live in, and how they leave. The files carry
 * letter codes, names and addresses, so no other user of the machine may
 * enter their folder, and they are deleted once printed: by hand, or by
 * `npm run notify -- --purge-printed` for the portal's own folder.
 */

/**
 * The portal's own folder for printer files: `notify` under this machine's
 * DATA_DIRECTORY, which is beside a SQLite file unless set otherwise, where
 * it always was; on PostgreSQL the machine that runs `npm run notify` keeps them.
 */
export function portalPrinterFolder(config: Pick<Config, 'DATA_DIRECTORY'>) {
  return join(config.DATA_DIRECTORY, 'notify')
}

/** A folder the printer files cannot safely go into; the message names the folder only. */
export class PrinterFolderError extends Error {}

/** Bounds of `--older-than-days`: at least a day, so no run can lose a file it is still writing or committing. */
export const PURGE_DAYS = { default: 7, min: 1, max: 365 } as const

const DAY_MS = 86_400_000

/**
 * The portal's own folder (`data/notify`): earlier versions made it 0755, so
 * an existing one is narrowed to 0700 (a missing one is made 0700 when the
 * first file is written). Its files are then out of other users' reach, old
 * ones included.
 */
export function narrowPortalFolder(folder: string) {
  if (!existsSync(folder)) return
  if ((statSync(folder).mode & 0o777) === 0o700) return
  try {
    chmodSync(folder, 0o700)
  } catch {
    throw new PrinterFolderError(
      `${folder} can be entered by other users and this user cannot change that; ` +
        `have its owner run chmod 700 ${folder}.`,
    )
  }
}

/**
 * A file path the operator chose: its folder is theirs, so it is not changed,
 * but the files are not written where other users can enter. A missing folder
 * is fine: openAtomicCsv makes it 0700.
 */
export function refuseOpenFolder(path: string) {
  const folder = dirname(path)
  if (!existsSync(folder)) return
  const stats = statSync(folder)
  if (!stats.isDirectory()) throw new PrinterFolderError(`${folder} is not a folder.`)
  if ((stats.mode & 0o077) !== 0)
    throw new PrinterFolderError(
      `${folder} can be entered by other users (mode ${(stats.mode & 0o777).toString(8)}), ` +
        `and printer files carry letter codes, names and addresses. ` +
        `Run chmod 700 ${folder}, or choose a folder only you can enter.`,
    )
}

export type PurgeSummary = {
  dryRun: boolean
  directory: string
  olderThanDays: number
  removed: number
  /** Printer files still there: newer than the cut-off, or a running notify's unfinished file. */
  kept: number
}

/**
 * Removes the portal's printer files (by name, regular files only: no links,
 * no folders, nothing else) last written more than `olderThanDays` ago. An
 * unfinished file is kept while the process writing it lives.
 */
export function purgePrintedFiles(options: {
  directory: string
  olderThanDays: number
  dryRun?: boolean
  now?: number
}): PurgeSummary {
  const { directory, olderThanDays, dryRun = false, now = Date.now() } = options
  if (!Number.isInteger(olderThanDays) || olderThanDays < PURGE_DAYS.min || olderThanDays > PURGE_DAYS.max)
    throw new RangeError('olderThanDays out of bounds')
  const summary: PurgeSummary = { dryRun, directory, olderThanDays, removed: 0, kept: 0 }
  if (!existsSync(directory)) return summary
  if (!dryRun) narrowPortalFolder(directory)
  const cutoff = now - olderThanDays * DAY_MS
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const name = PRINTER_FILE_NAME.exec(entry.name)
    if (!entry.isFile() || !name) continue
    const path = join(directory, entry.name)
    const writer = name[4] === undefined ? undefined : Number(name[4])
    if (lstatSync(path).mtimeMs > cutoff || (writer !== undefined && isRunning(writer))) {
      summary.kept++
      continue
    }
    if (!dryRun) rmSync(path, { force: true })
    summary.removed++
  }
  return summary
}

/** Whether a process with this id lives (EPERM: it does, as another user's). */
function isRunning(pid: number) {
  if (pid < 1 || pid > 2 ** 31 - 1) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
