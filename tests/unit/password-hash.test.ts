import { createRequire } from 'node:module'
import argon2 from 'argon2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ARGON2_PARAMETERS,
  hashPassword,
  needsRehash,
  spendVerifyTime,
  verifyLegacyPassword,
  verifyPassword,
} from '~/accounts/password-hash.server'
import { stopPasswordWork } from '~/accounts/password-work.server'

const bcrypt = createRequire(import.meta.url)('bcrypt') as {
  hash(data: string, rounds: number): Promise<string>
}

// The encoding's parameters (`m=19456,p=1,t=2`), whatever order the library writes them in.
function encodedParameters(hash: string) {
  const [, algorithm, version, parameters = ''] = hash.split('$')
  return { algorithm, version, ...Object.fromEntries(parameters.split(',').map((pair) => pair.split('='))) }
}

afterAll(() => stopPasswordWork())

const CURRENT = { algorithm: 'argon2id', version: 'v=19', m: '19456', t: '2', p: '1' }

describe('argon2id password hashes', () => {
  it('are argon2id with the OWASP parameters, salted', async () => {
    const [first, second] = await Promise.all([
      hashPassword('fjord lantern quiver'),
      hashPassword('fjord lantern quiver'),
    ])
    expect(ARGON2_PARAMETERS).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 })
    expect(encodedParameters(first)).toEqual(CURRENT)
    expect(first).not.toBe(second)
  })

  it('verify the password they were made from, and no other', async () => {
    const hash = await hashPassword('fjord lantern quiver')
    expect(await verifyPassword({ hash, password: 'fjord lantern quiver' })).toBe(true)
    expect(await verifyPassword({ hash, password: 'fjord lantern quiver ' })).toBe(false)
  })

  it.each(['', 'not a hash', '$argon2id$v=19$m=19456,t=2,p=1$', '$2b$04$abc'])(
    'answer false for the malformed hash %j instead of throwing',
    async (hash) => {
      expect(await verifyPassword({ hash, password: 'anything' })).toBe(false)
    },
  )

  it('need rehashing only when made with other parameters or another algorithm', async () => {
    const current = await hashPassword('fjord lantern quiver')
    const weaker = await argon2.hash('fjord lantern quiver', {
      ...ARGON2_PARAMETERS,
      memoryCost: 8_192,
      timeCost: 1,
    })
    const argon2i = await argon2.hash('fjord lantern quiver', { ...ARGON2_PARAMETERS, type: argon2.argon2i })
    expect(needsRehash(current)).toBe(false)
    expect(needsRehash(weaker)).toBe(true)
    expect(needsRehash(argon2i)).toBe(true)
    expect(needsRehash('garbage')).toBe(true)
  })

  it('spend the same argon2 work on an unknown account, and never succeed', async () => {
    const real = await hashPassword('fjord lantern quiver')
    // Interleaved, which goes first alternating, so a busy machine slows both alike.
    const times = { known: [] as number[], unknown: [] as number[] }
    const timed = async (kind: keyof typeof times, work: () => Promise<unknown>) => {
      const started = performance.now()
      await work()
      times[kind].push(performance.now() - started)
    }
    const known = () =>
      timed('known', () => verifyPassword({ hash: real, password: 'fjord lantern quivers' }))
    const unknown = () => timed('unknown', () => spendVerifyTime('fjord lantern quivers'))
    expect(await spendVerifyTime('fjord lantern quiver')).toBe(false)
    for (let i = 0; i < 9; i++) {
      if (i % 2 === 0) await known().then(unknown)
      else await unknown().then(known)
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
    // An argon2 verify at these parameters takes tens of milliseconds; skipping it, well under one.
    expect(median(times.unknown)).toBeGreaterThan(median(times.known) * 0.5)
  })
})

describe('legacy bcrypt hashes', () => {
  const exposed = 'sakura1988'
  let hash2b = ''

  beforeAll(async () => {
    hash2b = await bcrypt.hash(exposed, 4)
  })

  it.each(['$2b$', '$2a$', '$2y$'])('match their password with the %s prefix', async (prefix) => {
    const legacyHash = `${prefix}${hash2b.slice(4)}`
    expect(await verifyLegacyPassword({ legacyHash, password: exposed })).toBe(true)
    expect(await verifyLegacyPassword({ legacyHash, password: 'sakura1989' })).toBe(false)
  })

  it('answer false for malformed hashes instead of throwing', async () => {
    const malformed = [
      '',
      'sakura1988',
      hash2b.slice(0, -1),
      `$2x$${hash2b.slice(4)}`,
      `$2b$03${hash2b.slice(6)}`,
    ]
    for (const legacyHash of malformed) {
      expect(await verifyLegacyPassword({ legacyHash, password: exposed })).toBe(false)
    }
  })
})
