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
    expect(config.SESSION_SECRET).toBe(written.SESSION_SECRET)
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

  it('never touches an existing file', () => {
    const path = freshPath()
    writeFileSync(path, 'SESSION_SECRET=mine\n')
    expect(ensureLocalEnvFile({ env: {}, path })).toBeUndefined()
    expect(readFileSync(path, 'utf8')).toBe('SESSION_SECRET=mine\n')
  })

  it('creates nothing in production or when every secret is already given', () => {
    const path = freshPath()
    expect(ensureLocalEnvFile({ env: { NODE_ENV: 'production' }, path })).toBeUndefined()
    expect(
      ensureLocalEnvFile({ env: { SESSION_SECRET: 'a', PORTAL_DATA_KEY: 'b', PORTAL_INDEX_KEY: 'c' }, path }),
    ).toBeUndefined()
    expect(() => statSync(path)).toThrow()
  })
})
