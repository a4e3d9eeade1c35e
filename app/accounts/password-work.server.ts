import { createRequire } from 'node:module'
// Relative, not `~/`: scripts import this module from any directory, where no path alias applies.
import { HELPER_PROTOCOL, helperProcess } from '../helpers/helper-process.server'

/**
 * The CPU-heavy part of passwords (the legacy bcrypt compare, zxcvbn's
 * scoring, argon2id hashing and verifying) runs in one helper process per
 * web process, at a lower scheduling priority. A page request then always
 * gets a core first, and the hashing still uses every cycle the pages leave
 * idle: resets at full speed never starve page views (bench:password).
 *
 * The helper's code is a string, not a file: this module is bundled into
 * build/index.js and runs from any directory. The packages are loaded by the
 * absolute paths resolved here, where Node's resolution reaches node_modules.
 */

// Niceness 10: the kernel gives a default-priority thread about ten times its share.
const HELPER_NICENESS = 10

// zxcvbn-ts tries up to 100 l33t readings by default, which makes one score cost tens of
// milliseconds (a random 128-character password over a second). Two readings scored the usual
// l33t passwords (p@ssw0rd, m0nk3y) the same in our trials at a few milliseconds each.
const L33T_MAX_SUBSTITUTIONS = 2

const HELPER_SOURCE = `
const os = require('node:os')
// First, before the helper starts any thread: threads inherit their creator's priority.
try { os.setPriority(0, ${HELPER_NICENESS}) } catch {}
const paths = JSON.parse(process.env.PASSWORD_HELPER_PATHS)
const argon2 = require(paths.argon2)
const bcrypt = require(paths.bcrypt)
const { ZxcvbnFactory } = require(paths.core)
const common = require(paths.common)
const en = require(paths.en)
const ja = require(paths.ja)
// Without a translations option zxcvbn-ts answers with its keys, which the portal translates.
const zxcvbn = new ZxcvbnFactory({
  graphs: common.adjacencyGraphs,
  dictionary: { ...common.dictionary, ...en.dictionary, ...ja.dictionary },
  l33tMaxSubstitutions: ${L33T_MAX_SUBSTITUTIONS},
})
const work = {
  score: ({ password, userInputs }) => {
    const { score, feedback } = zxcvbn.check(password, userInputs)
    return { score, warning: feedback.warning, suggestions: feedback.suggestions }
  },
  legacy: ({ password, hash }) => bcrypt.compare(password, hash),
  hash: ({ password, options }) => argon2.hash(password, { ...options, type: argon2.argon2id }),
  verify: ({ password, hash }) => argon2.verify(hash, password),
}
${HELPER_PROTOCOL}`

export type PasswordWork = {
  score: {
    args: { password: string; userInputs: string[] }
    result: { score: number; warning: string | null; suggestions: string[] }
  }
  legacy: { args: { password: string; hash: string }; result: boolean }
  hash: {
    args: { password: string; options: { memoryCost: number; timeCost: number; parallelism: number } }
    result: string
  }
  verify: { args: { password: string; hash: string }; result: boolean }
}

const helper = helperProcess<PasswordWork>(() => ({
  name: 'password helper',
  source: HELPER_SOURCE,
  env: { PASSWORD_HELPER_PATHS: helperPaths() },
}))

function helperPaths() {
  const require = createRequire(import.meta.url)
  return JSON.stringify({
    argon2: require.resolve('argon2'),
    bcrypt: require.resolve('bcrypt'),
    core: require.resolve('@zxcvbn-ts/core'),
    common: require.resolve('@zxcvbn-ts/language-common'),
    en: require.resolve('@zxcvbn-ts/language-en'),
    ja: require.resolve('@zxcvbn-ts/language-ja'),
  })
}

/** Runs one piece of password work in the helper, starting it (again) when needed. */
export function passwordWork<Op extends keyof PasswordWork>(
  op: Op,
  args: PasswordWork[Op]['args'],
): Promise<PasswordWork[Op]['result']> {
  return helper.run(op, args)
}

/** Ends the helper (tests, shutdown); the next call starts a new one. */
export function stopPasswordWork() {
  helper.stop()
}
