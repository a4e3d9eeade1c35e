import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '~/config.server'
import { PRODUCTION_MAIL } from '../support/secrets'

const secrets = () => ({
  SESSION_SECRET: randomBytes(32).toString('base64url'),
  PORTAL_DATA_KEY: randomBytes(32).toString('base64'),
  PORTAL_INDEX_KEY: randomBytes(32).toString('base64'),
  SHOP_API_TOKEN: randomBytes(32).toString('base64url'),
  AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
})

describe('parseConfig', () => {
  it('fills the documented defaults outside production', () => {
    const config = parseConfig({ ...secrets() })
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      DATABASE_URL: 'data/portal.db',
      PUBLIC_URL: 'http://localhost:3000',
      isProduction: false,
      PASSWORD_MIN_LENGTH: 15,
      RESUMPTION_DATE: '2026-04-23',
    })
  })

  it('ends letter codes 90 days after the resumption day unless LETTER_CODE_VALID_UNTIL says otherwise', () => {
    expect(parseConfig({ ...secrets() }).LETTER_CODE_VALID_UNTIL).toBe('2026-07-22')
    expect(parseConfig({ ...secrets(), RESUMPTION_DATE: '2026-12-15' }).LETTER_CODE_VALID_UNTIL).toBe(
      '2027-03-15',
    )
    expect(parseConfig({ ...secrets(), LETTER_CODE_VALID_UNTIL: '2027-01-31' }).LETTER_CODE_VALID_UNTIL).toBe(
      '2027-01-31',
    )
    expect(() => parseConfig({ ...secrets(), LETTER_CODE_VALID_UNTIL: '2027-02-30' })).toThrow(
      /^LETTER_CODE_VALID_UNTIL/,
    )
    expect(() => parseConfig({ ...secrets(), LETTER_CODE_VALID_UNTIL: 'soon' })).toThrow(
      /^LETTER_CODE_VALID_UNTIL/,
    )
  })

  it('never lets the password minimum fall below 8 characters', () => {
    expect(() => parseConfig({ ...secrets(), PASSWORD_MIN_LENGTH: '7' })).toThrow(/^PASSWORD_MIN_LENGTH/)
    expect(parseConfig({ ...secrets(), PASSWORD_MIN_LENGTH: '8' }).PASSWORD_MIN_LENGTH).toBe(8)
  })

  it('accepts a file: prefix on DATABASE_URL', () => {
    expect(parseConfig({ ...secrets(), DATABASE_URL: 'file:/tmp/x.db' }).DATABASE_URL).toBe('/tmp/x.db')
  })

  it("keeps this machine's files beside a SQLite file unless DATA_DIRECTORY says otherwise", () => {
    const config = parseConfig({ ...secrets(), DATABASE_URL: '/srv/portal/portal.db' })
    expect(config).toMatchObject({
      DATABASE_BACKEND: 'sqlite',
      DATA_DIRECTORY: '/srv/portal',
      AUDIT_CHECKPOINT_FILE: '/srv/portal/portal.db.audit-checkpoints.jsonl',
    })
    expect(
      parseConfig({ ...secrets(), DATABASE_URL: '/srv/portal/portal.db', DATA_DIRECTORY: '/var/portal' })
        .DATA_DIRECTORY,
    ).toBe('/var/portal')
  })

  it.each(['postgres://portal@db.internal/portal', 'postgresql://portal@db.internal/portal'])(
    'serves from the PostgreSQL server %s, with its own files in data/ unless DATA_DIRECTORY says otherwise',
    (url) => {
      expect(parseConfig({ ...secrets(), DATABASE_URL: url })).toMatchObject({
        DATABASE_URL: url,
        DATABASE_BACKEND: 'postgres',
        DATABASE_POOL_SIZE: 10,
        DATA_DIRECTORY: 'data',
        AUDIT_CHECKPOINT_FILE: 'data/audit-checkpoints.jsonl',
      })
      expect(
        parseConfig({ ...secrets(), DATABASE_URL: url, DATA_DIRECTORY: '/var/portal' }).AUDIT_CHECKPOINT_FILE,
      ).toBe('/var/portal/audit-checkpoints.jsonl')
    },
  )

  it('bounds the pool of connections to a server', () => {
    expect(() => parseConfig({ ...secrets(), DATABASE_POOL_SIZE: '0' })).toThrow(/^DATABASE_POOL_SIZE/)
    expect(() => parseConfig({ ...secrets(), DATABASE_POOL_SIZE: '1000' })).toThrow(/^DATABASE_POOL_SIZE/)
  })

  it('bounds DATABASE_URL before reading it', () => {
    expect(() => parseConfig({ ...secrets(), DATABASE_URL: `postgres://${'x'.repeat(5000)}` })).toThrow(
      /^DATABASE_URL is longer than any path or address/,
    )
  })

  it.each(['SESSION_SECRET', 'PORTAL_DATA_KEY', 'PORTAL_INDEX_KEY', 'SHOP_API_TOKEN', 'AUDIT_SIGNING_KEY'])(
    'stops production with one line naming a missing %s',
    (name) => {
      const env: Record<string, string | undefined> = {
        ...secrets(),
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://x.example',
        ...PRODUCTION_MAIL,
      }
      delete env[name]
      expect(() => parseConfig(env)).toThrow(ConfigError)
      expect(() => parseConfig(env)).toThrow(new RegExp(`^${name}`))
    },
  )

  it('refuses keys that are not 32 bytes of base64', () => {
    expect(() => parseConfig({ ...secrets(), PORTAL_DATA_KEY: randomBytes(16).toString('base64') })).toThrow(
      /PORTAL_DATA_KEY must be 32 random bytes/,
    )
    expect(() => parseConfig({ ...secrets(), PORTAL_INDEX_KEY: 'not base64 at all!' })).toThrow(
      /PORTAL_INDEX_KEY/,
    )
  })

  it('refuses weak secrets such as a repeated byte', () => {
    expect(() =>
      parseConfig({ ...secrets(), PORTAL_DATA_KEY: Buffer.alloc(32, 7).toString('base64') }),
    ).toThrow(/PORTAL_DATA_KEY is too weak/)
    expect(() => parseConfig({ ...secrets(), SESSION_SECRET: 'a'.repeat(40) })).toThrow(
      /SESSION_SECRET is too weak/,
    )
    expect(() => parseConfig({ ...secrets(), SESSION_SECRET: 'short' })).toThrow(
      /SESSION_SECRET must be at least/,
    )
  })

  it('takes a list of session secrets, newest first, each checked, and a list of previous data keys', () => {
    const [newer, older] = [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')]
    expect(parseConfig({ ...secrets(), SESSION_SECRET: ` ${newer} , ${older},` }).SESSION_SECRETS).toEqual([
      newer,
      older,
    ])
    expect(() => parseConfig({ ...secrets(), SESSION_SECRET: `${newer},${'a'.repeat(40)}` })).toThrow(
      /SESSION_SECRET is too weak/,
    )
    expect(() => parseConfig({ ...secrets(), SESSION_SECRET: ',' })).toThrow(/SESSION_SECRET is not set/)
    expect(() => parseConfig({ ...secrets(), SESSION_SECRET: `${newer},`.repeat(5) })).toThrow(
      /SESSION_SECRET holds at most 4 secrets/,
    )
    const previous = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')]
    expect(
      parseConfig({ ...secrets(), PORTAL_PREVIOUS_DATA_KEYS: previous.join(',') }).PORTAL_PREVIOUS_DATA_KEYS,
    ).toEqual(previous)
    expect(parseConfig(secrets()).PORTAL_PREVIOUS_DATA_KEYS).toEqual([])
  })

  it('requires PUBLIC_URL in production but not elsewhere', () => {
    expect(() => parseConfig({ ...secrets(), NODE_ENV: 'production' })).toThrow(/^PUBLIC_URL/)
    expect(
      parseConfig({
        ...secrets(),
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://portal.example',
        ...PRODUCTION_MAIL,
      }),
    ).toMatchObject({
      isProduction: true,
      PUBLIC_URL: 'https://portal.example',
      ...PRODUCTION_MAIL,
    })
  })

  it('rejects a port out of range', () => {
    expect(() => parseConfig({ ...secrets(), PORT: '70000' })).toThrow(/^PORT/)
  })
})

describe('mail settings', () => {
  it('keep mail in the outbox outside production unless SMTP_URL is set', () => {
    const config = parseConfig({ ...secrets() })
    expect(config.SMTP_URL).toBeUndefined()
    expect(config.MAIL_FROM).toBe('Sekaimon <no-reply@localhost>')
    expect(config.SMTP_RATE).toBe(20)
  })

  it.each(['MAIL_FROM', 'SMTP_URL'])('are required in production: %s', (name) => {
    const env: Record<string, string | undefined> = {
      ...secrets(),
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://x.example',
      ...PRODUCTION_MAIL,
    }
    delete env[name]
    expect(() => parseConfig(env)).toThrow(new RegExp(`^${name} is not set`))
  })

  it('accept only smtp:// and smtps:// relays', () => {
    expect(parseConfig({ ...secrets(), SMTP_URL: 'smtps://user:pass@mail.example:465' }).SMTP_URL).toBe(
      'smtps://user:pass@mail.example:465',
    )
    expect(() => parseConfig({ ...secrets(), SMTP_URL: 'http://mail.example' })).toThrow(/^SMTP_URL/)
  })
})
