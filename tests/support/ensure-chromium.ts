import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chromiumPath } from './chromium-path'

/**
 * The browser tests drive Debian's Chromium, and read Japanese pages with a
 * Japanese font (without one every kanji is a narrow box, and the layout test
 * measures boxes). When either is missing, a root shell with apt-get installs
 * it; anyone else is told in one line how to.
 */
function main() {
  const path = chromiumPath()
  const packages = [
    ...(existsSync(path) ? [] : ['chromium']),
    ...(hasJapaneseFont() ? [] : [JAPANESE_FONT_PACKAGE]),
  ]
  if (packages.length === 0) return
  if (process.env.CHROMIUM_PATH && !existsSync(path)) {
    fail(`CHROMIUM_PATH is set to ${path}, but no file is there.`)
  }
  const canInstall = process.getuid?.() === 0 && commandExists('apt-get')
  if (!canInstall) {
    fail(
      `Browser tests need ${packages.join(' and ')}: run \`sudo apt-get install ${packages.join(' ')}\` (or set CHROMIUM_PATH) and run npm test again.`,
    )
  }
  console.log(`Installing Debian's ${packages.join(' and ')} with apt-get (once per machine)…`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  run(['apt-get', 'update', '-qq'], env)
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages], env)
  if (!existsSync(path)) fail(`apt-get finished but ${path} is still missing.`)
  if (!hasJapaneseFont()) fail(`apt-get finished but fontconfig still knows no Japanese font.`)
  console.log(`Chromium at ${path}, with a Japanese font.`)
}

/** Noto Sans CJK: the Japanese font a Debian desktop installs for Japanese. */
const JAPANESE_FONT_PACKAGE = 'fonts-noto-cjk'

function hasJapaneseFont() {
  const listed = spawnSync('fc-list', [':lang=ja', 'family'], { encoding: 'utf8' })
  return listed.status === 0 && listed.stdout.trim() !== ''
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
