import { randomBytes } from 'node:crypto'

/** Fresh secrets for one test run; nothing here is ever written to disk. */
export function testSecrets() {
  return {
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    PORTAL_DATA_KEY: randomBytes(32).toString('base64'),
    PORTAL_INDEX_KEY: randomBytes(32).toString('base64'),
    SHOP_API_TOKEN: randomBytes(32).toString('base64url'),
    AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
  }
}

/** What production needs besides secrets and PUBLIC_URL: a sender and a relay (nothing listens there). */
export const PRODUCTION_MAIL = {
  MAIL_FROM: 'Sekaimon <no-reply@portal.example>',
  SMTP_URL: 'smtp://127.0.0.1:9',
}
