import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copyMigratedDatabase } from './migrated-database'
import { portalCommand } from './portal-command'
import { testSecrets } from './secrets'

export type PortalServer = {
  url: string
  dataDirectory: string
  /** The SQLite file made for the portal when it was given no DATABASE_URL (on PostgreSQL, copied from). */
  databasePath: string
  /** What the portal serves from, as DATABASE_URL: `databasePath`, or a PostgreSQL database's URL. */
  databaseUrl: string
  output: () => string
  /** The process `npm start` would be: the web server, or the primary that supervises web workers. */
  pid: number
  /** Settles with the exit code once the process has exited (by itself, a signal or `stop`). */
  exited: Promise<number | null>
  stop: () => Promise<void>
}

/**
 * Starts the built portal the way `npm start` does, on a free port with a
 * fresh SQLite file in its own temporary folder. Where PORTAL_TEST_BACKEND is
 * `postgres` (the http:postgres test project), the portal serves instead from
 * a scratch PostgreSQL database holding a copy of that file (or of the SQLite
 * DATABASE_URL it is given): tests seed people as ever, and the portal
 * starts on PostgreSQL with them.
 */
export async function startPortal({
  env = {},
  prefix = [],
}: {
  env?: Record<string, string>
  /** A command the start command runs under (its arguments follow), e.g. one that mounts a file system first. */
  prefix?: string[]
} = {}): Promise<PortalServer> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'portal-test-'))
  const databasePath = join(dataDirectory, 'portal.db')
  // The start command migrates whatever file it is given; a copy of a migrated one spares it the work.
  if (env.DATABASE_URL === undefined) copyMigratedDatabase(databasePath)
  const seeded = env.DATABASE_URL ?? databasePath
  const postgres = onPostgres(seeded) ? await copyToPostgres(seeded) : undefined
  const databaseUrl = postgres?.url ?? seeded
  const start = portalCommand('app/cli/start.ts')
  const [command = start.command, ...args] = [...prefix, start.command, ...start.args]
  const child = spawn(command, args, {
    cwd: dataDirectory,
    env: {
      ...start.env,
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      PORT: '0',
      PORTAL_DEMO_DATA: 'off',
      // The default last day of letter codes (RESUMPTION_DATE + 90 days) may be past on the test machine's clock.
      LETTER_CODE_VALID_UNTIL: '2099-12-31',
      ...testSecrets(),
      ...env,
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const removeDatabase = async () => {
    rmSync(dataDirectory, { recursive: true, force: true })
    await postgres?.drop()
  }
  let url: string
  try {
    url = await waitForUrl(child, () => output)
  } catch (error) {
    await stopChild(child)
    await removeDatabase()
    throw error
  }
  return {
    url,
    dataDirectory,
    databasePath,
    databaseUrl,
    output: () => output,
    pid: child.pid as number,
    exited,
    stop: async () => {
      await stopChild(child)
      await removeDatabase()
    },
  }
}

/** Whether this portal goes onto PostgreSQL: in the project that asks for it, unless it was given a server already. */
function onPostgres(databaseUrl: string) {
  return process.env.PORTAL_TEST_BACKEND === 'postgres' && !/^postgres(ql)?:\/\//.test(databaseUrl)
}

/** Loaded only where wanted: it reaches for the test run's PostgreSQL cluster. */
async function copyToPostgres(sqlitePath: string) {
  // A file the start command would have made: made here, migrated, to be copied.
  if (!existsSync(sqlitePath)) copyMigratedDatabase(sqlitePath)
  const { postgresCopyOf } = await import('./postgres-copy')
  return postgresCopyOf(sqlitePath, 'portal')
}

function waitForUrl(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portal did not start:\n${output()}`)), 45_000)
    const check = () => {
      const match = output().match(/listening on (http:\/\/localhost:\d+)/)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`portal exited with ${code}:\n${output()}`))
    })
  })
}

async function stopChild(child: ChildProcess) {
  // A process killed by a signal has no exit code but a signal code; its 'exit' has already fired.
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timeout = setTimeout(() => child.kill('SIGKILL'), 5_000)
  await exited
  clearTimeout(timeout)
}
