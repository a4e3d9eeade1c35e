import { spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A PostgreSQL cluster for one test run: Debian's binaries, `initdb` in a
 * temporary folder, one server on a loopback port, gone afterwards. Nothing
 * of the machine's own PostgreSQL (if one runs) is touched.
 *
 * Durability is switched off (fsync, full-page writes, synchronous commit):
 * the cluster dies with the run, and the tests check what the portal asks of
 * the database, not that the disk keeps it. A benchmark asks for `durable`,
 * PostgreSQL's own defaults, which a deployment runs with: every commit
 * flushed to disk before it is answered.
 */

export type ThrowawayPostgres = {
  /** A superuser's URL to the `postgres` database. */
  url: string
  stop: () => Promise<void>
}

/** Where `initdb`, `pg_ctl` and `postgres` are: on PATH, or Debian's newest /usr/lib/postgresql/N/bin. */
export function postgresBinDirectory(): string | null {
  const onPath = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' })
  if (onPath.status === 0 && onPath.stdout.trim() !== '') {
    const resolved = spawnSync('readlink', ['-f', onPath.stdout.trim()], { encoding: 'utf8' }).stdout.trim()
    const directory = resolved.slice(0, resolved.lastIndexOf('/'))
    if (existsSync(join(directory, 'initdb'))) return directory
  }
  const debian = '/usr/lib/postgresql'
  if (!existsSync(debian)) return null
  const versions = readdirSync(debian)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(debian, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? null : join(debian, versions[0], 'bin')
}

/**
 * PostgreSQL refuses to run as root, so as root the cluster belongs to the
 * `postgres` user Debian's package creates; anyone else runs it as themselves.
 */
function clusterOwner(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim())
  const uid = id('-u')
  const gid = id('-g')
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, but there is no postgres user')
  return { uid, gid }
}

/** Whether a cluster can be started here: the binaries, and as root a user to own it. */
export function canStartPostgres() {
  if (postgresBinDirectory() === null) return false
  return process.getuid?.() !== 0 || spawnSync('id', ['-u', 'postgres']).status === 0
}

export async function startThrowawayPostgres({ durable = false } = {}): Promise<ThrowawayPostgres> {
  const binaries = postgresBinDirectory()
  if (binaries === null) throw new Error('no PostgreSQL binaries (Debian: apt-get install postgresql)')
  const owner = clusterOwner()
  // As root, a folder the postgres user can reach whatever TMPDIR says (root's own may be closed to it).
  const directory = mkdtempSync(join(owner ? '/tmp' : tmpdir(), 'portal-postgres-'))
  if (owner) chownSync(directory, owner.uid, owner.gid)
  const data = join(directory, 'data')
  const run = (command: string, args: string[]) => {
    const full = [join(binaries, command), ...args]
    const [file, ...rest] = owner ? ['runuser', '-u', 'postgres', '--', ...full] : full
    const result = spawnSync(file as string, rest, { encoding: 'utf8', cwd: directory })
    if (result.status !== 0) {
      throw new Error(`${command} failed (exit ${result.status}): ${result.stderr || result.stdout}`)
    }
  }
  try {
    const initdb = ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C']
    run('initdb', durable ? initdb : [...initdb, '--no-sync'])
    const port = await freePort()
    const settings = [
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${directory}'`,
      ...(durable ? [] : ['-c fsync=off', '-c full_page_writes=off', '-c synchronous_commit=off']),
      '-c max_connections=300',
    ].join(' ')
    run('pg_ctl', [
      '-D',
      data,
      '-w',
      '-t',
      '60',
      '-l',
      join(directory, 'server.log'),
      '-o',
      settings,
      'start',
    ])
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: async () => {
        try {
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
        } finally {
          rmSync(directory, { recursive: true, force: true })
        }
      },
    }
  } catch (error) {
    rmSync(directory, { recursive: true, force: true })
    throw error
  }
}

/** A port nothing listens on now; the server takes it a moment later. */
function freePort() {
  return new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}
