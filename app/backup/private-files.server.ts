import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseFileProblem } from '~db/backup'

/**
 * Files that hold what the database holds (sealed personal data, blind
 * indexes, sessions) or vouch for it (audit checkpoints): made 0600 whatever
 * the umask, in folders made 0700, written under a temporary name beside
 * their final one and given that name only when complete and synced.
 */

/** A temporary name beside `path` that no other process uses. */
export function partialName(path: string) {
  return `${path}.${process.pid}.partial`
}

/** Creates `path` empty, 0600, failing if anything (a file, a link) is there already. */
export function createPrivateFile(path: string) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const descriptor = openSync(path, 'wx', 0o600)
  fchmodSync(descriptor, 0o600)
  closeSync(descriptor)
}

/**
 * Copies `from` into a new private file `to`, up to `limit` bytes (default:
 * all), and syncs it to disk.
 */
export function copyPrivately(from: string, to: string, limit = Number.POSITIVE_INFINITY) {
  createPrivateFile(to)
  const source = openSync(from, 'r')
  const target = openSync(to, 'w')
  try {
    const buffer = Buffer.alloc(1024 * 1024)
    let copied = 0
    while (copied < limit) {
      const read = readSync(source, buffer, 0, Math.min(buffer.length, limit - copied), null)
      if (read === 0) break
      let written = 0
      while (written < read) written += writeSync(target, buffer, written, read - written)
      copied += read
    }
    fsyncSync(target)
    return copied
  } finally {
    closeSync(source)
    closeSync(target)
  }
}

export function syncFile(path: string) {
  const descriptor = openSync(path, 'r')
  try {
    fsyncSync(descriptor)
  } finally {
    closeSync(descriptor)
  }
}

/** Makes renames in the folder durable: they live in the folder's own entries. */
export function syncFolder(path: string) {
  syncFile(dirname(path))
}

/**
 * Gives the complete file `temporary` its final name `path`. Without
 * `replace`, a file already at `path` is kept and the move refused: a hard
 * link fails when the name is taken, where a rename would silently replace it.
 */
export function publish(temporary: string, path: string, { replace }: { replace: boolean }) {
  if (replace) renameSync(temporary, path)
  else {
    try {
      linkSync(temporary, path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw exists(path)
      throw error
    }
    rmSync(temporary)
  }
  syncFolder(path)
}

export function exists(path: string) {
  return new DatabaseFileProblem(`${path} exists: choose another name, or pass --force to replace it.`)
}

/** Refuses anything but an existing regular file, saying which. */
export function requireFile(path: string, what: string) {
  if (!existsSync(path)) throw new DatabaseFileProblem(`No ${what} at ${path}.`)
  if (!statSync(path).isFile()) throw new DatabaseFileProblem(`${path} is not a file.`)
}

/** Writes `bytes` into a new private file `path` and syncs it to disk. */
export function writePrivately(path: string, bytes: Uint8Array) {
  createPrivateFile(path)
  const descriptor = openSync(path, 'w')
  try {
    let written = 0
    while (written < bytes.length) written += writeSync(descriptor, bytes, written, bytes.length - written)
    fsyncSync(descriptor)
  } finally {
    closeSync(descriptor)
  }
}
