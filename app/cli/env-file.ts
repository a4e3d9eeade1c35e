import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'

const SECRETS = {
  SESSION_SECRET: () => randomBytes(32).toString('base64url'),
  PORTAL_DATA_KEY: () => randomBytes(32).toString('base64'),
  PORTAL_INDEX_KEY: () => randomBytes(32).toString('base64'),
  SHOP_API_TOKEN: () => randomBytes(32).toString('base64url'),
  // An Ed25519 seed: any 32 random bytes are a private key.
  AUDIT_SIGNING_KEY: () => randomBytes(32).toString('base64'),
} as const
type SecretName = keyof typeof SECRETS
const SECRET_NAMES = Object.keys(SECRETS) as SecretName[]

/**
 * Outside production, a first run writes `.env` with fresh random secrets (and
 * a last day for letter codes 90 days ahead) so that `npm start` needs nothing else, and a later version that needs a new
 * secret appends just that one (existing lines are never changed); production
 * never gets generated secrets. Returns the line to print when it wrote.
 */
export function ensureLocalEnvFile({
  env = process.env,
  path = resolve(process.cwd(), '.env'),
}: {
  env?: Record<string, string | undefined>
  path?: string
} = {}): string | undefined {
  const isProduction = env.NODE_ENV === 'production'
  const allGiven = SECRET_NAMES.every((name) => env[name])
  if (isProduction || allGiven) return undefined
  if (!existsSync(path)) {
    writeFileSync(path, renderEnvFile(SECRET_NAMES), { mode: 0o600, flag: 'wx' })
    return `Created ${path} with new random secrets (keep it out of version control).`
  }
  const inFile = parseEnv(readFileSync(path, 'utf8'))
  const missing = SECRET_NAMES.filter((name) => !env[name] && !inFile[name])
  if (missing.length === 0) return undefined
  appendFileSync(path, `\n${secretLines(missing).join('\n')}\n`)
  return `Added ${missing.join(', ')} to ${path}.`
}

/** Loads `.env` into the environment without overriding what is already set. */
export function loadEnvFile(path = resolve(process.cwd(), '.env')) {
  if (existsSync(path)) process.loadEnvFile(path)
}

// How long a local demo's letter codes work from its first run. The default last day (90 days
// after RESUMPTION_DATE) is a date of the incident's own calendar and may be long past on this
// machine's clock, which would leave every demo letter code saying it has expired.
const DEMO_LETTER_CODE_DAYS = 90

function renderEnvFile(names: SecretName[], now = new Date()) {
  const lastDay = new Date(now.getTime() + DEMO_LETTER_CODE_DAYS * 24 * 60 * 60 * 1000)
  return [
    '# Local secrets for the Sekaimon exposure portal, generated on first run.',
    '# Never commit this file; production takes its secrets from the environment.',
    ...secretLines(names),
    '# The last day the demo letter codes work: 90 days from the first run.',
    `LETTER_CODE_VALID_UNTIL=${lastDay.toISOString().slice(0, 10)}`,
    '',
  ].join('\n')
}

function secretLines(names: SecretName[]) {
  return names.map((name) => `${name}=${SECRETS[name]()}`)
}
