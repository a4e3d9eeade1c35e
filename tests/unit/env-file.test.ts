import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ensureLocalEnvFile } from '~/cli/env-file'
import { parseConfig } from '~/config.server'
import { PRODUCTION_MAIL } from '../support/secrets'

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'env-file-')), '.env')

describe('ensureLocalEnvFile', () => {
  it('creates a private .env whose secrets pass the production checks', () => {
    const path = freshPath()
    const message = ensureLocalEnvFile({ env: {}, path })
    expect(message).toContain(path)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const written = parseEnv(readFileSync(path, 'utf8'))
    const config = parseConfig({
      ...written,
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://portal.example',
      ...PRODUCTION_MAIL,
    })
    expect(config.SESSION_SECRETS).toEqual([written.SESSION_SECRET])
    expect(config.SHOP_API_TOKEN).toBe(written.SHOP_API_TOKEN)
    expect(config.AUDIT_SIGNING_KEY).toBe(written.AUDIT_SIGNING_KEY)
  })

  it('lets the demo letter codes work for 90 days from the first run, whatever the incident calendar says', () => {
    const path = freshPath()
    ensureLocalEnvFile({ env: {}, path })
    const written = parseEnv(readFileSync(path, 'utf8'))
    const days = (Date.parse(written.LETTER_CODE_VALID_UNTIL ?? '') - Date.now()) / (24 * 60 * 60 * 1000)
    expect(days).toBeGreaterThan(88)
    expect(days).toBeLessThan(91)
    expect(parseConfig(written).LETTER_CODE_VALID_UNTIL).toBe(written.LETTER_CODE_VALID_UNTIL)
  })

  it('writes different secrets on every machine', () => {
    const first = freshPath()
    const second = freshPath()
    ensureLocalEnvFile({ env: {}, path: first })
    ensureLocalEnvFile({ env: {}, path: second })
    expect(parseEnv(readFileSync(first, 'utf8')).PORTAL_DATA_KEY).not.toBe(
      parseEnv(readFileSync(second, 'utf8')).PORTAL_DATA_KEY,
    )
  })

  it('keeps every line of an existing file and adds only the secrets it lacks', () => {
    const path = freshPath()
    writeFileSync(path, 'SESSION_SECRET=mine\nPORTAL_DATA_KEY=data\n')
    const message = ensureLocalEnvFile({ env: { PORTAL_INDEX_KEY: 'given' }, path })
    expect(message).toBe(`Added SHOP_API_TOKEN, AUDIT_SIGNING_KEY to ${path}.`)
    const text = readFileSync(path, 'utf8')
    expect(text.startsWith('SESSION_SECRET=mine\nPORTAL_DATA_KEY=data\n')).toBe(true)
    const written = parseEnv(text)
    expect(written.SHOP_API_TOKEN).toMatch(/^[\w-]{43}$/)
    expect(written.PORTAL_INDEX_KEY).toBeUndefined()
    expect(ensureLocalEnvFile({ env: {}, path: path })).toBe(`Added PORTAL_INDEX_KEY to ${path}.`)
    expect(ensureLocalEnvFile({ env: {}, path })).toBeUndefined()
  })

  it('creates nothing in production or when every secret is already given', () => {
    const path = freshPath()
    expect(ensureLocalEnvFile({ env: { NODE_ENV: 'production' }, path })).toBeUndefined()
    expect(
      ensureLocalEnvFile({
        env: {
          SESSION_SECRET: 'a',
          PORTAL_DATA_KEY: 'b',
          PORTAL_INDEX_KEY: 'c',
          SHOP_API_TOKEN: 'd',
          AUDIT_SIGNING_KEY: 'e',
        },
        path,
      }),
    ).toBeUndefined()
    expect(() => statSync(path)).toThrow()
  })
})
