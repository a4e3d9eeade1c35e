import { randomBytes } from 'node:crypto'

/** Fresh secrets for one test run; nothing here is ever written to disk. */
export function testSecrets() {
  return {
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    PORTAL_DATA_KEY: randomBytes(32).toString('base64'),
    PORTAL_INDEX_KEY: randomBytes(32).toString('base64'),
  }
}
