import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { copyMigratedDatabase } from './migrated-database'
import { portalCommand } from './portal-command'
import { testSecrets } from './secrets'

export type PortalServer = {
  url: string
  dataDirectory: string
  databasePath: string
  output: () => string
  /** The process `npm start` would be: the web server, or the primary that supervises web workers. */
  pid: number
  /** Settles with the exit code once the process has exited (by itself, a signal or `stop`). */
  exited: Promise<number | null>
  stop: () => Promise<void>
}

/**
 * Starts the built portal the way `npm start` does, on a free port with a
 * fresh SQLite file in its own temporary folder.
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
      DATABASE_URL: databasePath,
      PORTAL_DEMO_DATA: 'off',
      // The default last day of letter codes (RESUMPTION_DATE + 90 days) may be past on the test machine's clock.
      LETTER_CODE_VALID_UNTIL: '2099-12-31',
      ...testSecrets(),
      ...env,
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
  const url = await waitForUrl(child, () => output)
  return {
    url,
    dataDirectory,
    databasePath,
    output: () => output,
    pid: child.pid as number,
    exited,
    stop: async () => {
      await stopChild(child)
      rmSync(dataDirectory, { recursive: true, force: true })
    },
  }
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
