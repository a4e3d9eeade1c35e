import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chromiumPath } from './chromium-path'

/**
 * The browser tests drive Debian's Chromium. When it is missing, a root shell
 * with apt-get installs it; anyone else is told in one line how to.
 */
function main() {
  const path = chromiumPath()
  if (existsSync(path)) return
  if (process.env.CHROMIUM_PATH) {
    fail(`CHROMIUM_PATH is set to ${path}, but no file is there.`)
  }
  const canInstall = process.getuid?.() === 0 && commandExists('apt-get')
  if (!canInstall) {
    fail(
      'Browser tests need Chromium: run `sudo apt-get install chromium` (or set CHROMIUM_PATH) and run npm test again.',
    )
  }
  console.log("Chromium is missing: installing Debian's chromium package with apt-get (once per machine)…")
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  run(['apt-get', 'update', '-qq'], env)
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium'], env)
  if (!existsSync(path)) fail(`apt-get finished but ${path} is still missing.`)
  console.log(`Installed Chromium at ${path}.`)
}

function commandExists(command: string) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

function run([command, ...args]: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(command as string, args, { stdio: 'inherit', env })
  if (result.status !== 0) fail(`\`${[command, ...args].join(' ')}\` failed (exit ${result.status}).`)
}

function fail(line: string): never {
  console.error(line)
  process.exit(1)
}

main()
