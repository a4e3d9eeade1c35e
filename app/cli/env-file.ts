import { randomBytes } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'

const SECRET_NAMES = ['SESSION_SECRET', 'PORTAL_DATA_KEY', 'PORTAL_INDEX_KEY'] as const

/**
 * Outside production, a first run writes `.env` with fresh random secrets so
 * that `npm start` needs nothing else; production never gets generated secrets.
 * Returns the line to print when a file was created.
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
  if (isProduction || allGiven || existsSync(path)) return undefined
  writeFileSync(path, renderEnvFile(), { mode: 0o600, flag: 'wx' })
  return `Created ${path} with new random secrets (keep it out of version control).`
}

/** Loads `.env` into the environment without overriding what is already set. */
export function loadEnvFile(path = resolve(process.cwd(), '.env')) {
  if (existsSync(path)) process.loadEnvFile(path)
}

function renderEnvFile() {
  return [
    '# Local secrets for the Sekaimon exposure portal, generated on first run.',
    '# Never commit this file; production takes its secrets from the environment.',
    `SESSION_SECRET=${randomBytes(32).toString('base64url')}`,
    `PORTAL_DATA_KEY=${randomBytes(32).toString('base64')}`,
    `PORTAL_INDEX_KEY=${randomBytes(32).toString('base64')}`,
    '',
  ].join('\n')
}
