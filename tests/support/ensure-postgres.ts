import { spawnSync } from 'node:child_process'
import { canStartPostgres } from './throwaway-postgres'

/**
 * The data-layer, HTTP and multi-node tests also run on PostgreSQL when
 * Debian's binaries are here: a root shell with apt-get installs them (as CI
 * does), anyone else is told in one line how to, and the SQLite half runs
 * either way. The run's cluster is started by the tests themselves.
 */
function main() {
  if (canStartPostgres()) return
  const canInstall = process.getuid?.() === 0 && commandExists('apt-get')
  if (!canInstall) {
    console.log(
      'The PostgreSQL half of the tests is skipped: run `sudo apt-get install postgresql` and npm test again to include it.',
    )
    return
  }
  console.log("Installing Debian's postgresql with apt-get (once per machine)…")
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  // A failed install costs the PostgreSQL half, not the run: the SQLite half still says everything it can.
  const installed =
    run(['apt-get', 'update', '-qq'], env) &&
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'postgresql'], env)
  if (!installed || !canStartPostgres()) {
    console.log(
      'The PostgreSQL half of the tests is skipped: apt-get could not install a PostgreSQL that starts here (see above).',
    )
  }
}

function commandExists(command: string) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

function run([command, ...args]: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(command as string, args, { stdio: 'inherit', env })
  if (result.status !== 0) console.log(`\`${[command, ...args].join(' ')}\` failed (exit ${result.status}).`)
  return result.status === 0
}

main()
