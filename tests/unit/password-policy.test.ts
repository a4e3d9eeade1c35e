import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { meterReadingOf } from '~/accounts/password-meter.server'
import {
  evaluateNewPassword,
  type NewPassword,
  normalisePassword,
  personalWordsOf,
} from '~/accounts/password-policy.server'
import { STRENGTH_SUGGESTIONS, STRENGTH_WARNINGS, scorePassword } from '~/accounts/password-strength.server'
import { stopPasswordWork } from '~/accounts/password-work.server'

const bcrypt = createRequire(import.meta.url)('bcrypt') as {
  hash(data: string, rounds: number): Promise<string>
}

const STRONG = 'Tangerine umbrella 47'

const evaluate = (password: string, options: Partial<NewPassword> = {}) =>
  evaluateNewPassword({ password, minLength: 15, personalWords: [], ...options })

afterAll(async () => {
  stopPasswordWork()
})

describe('password length', () => {
  it('counts code points, not UTF-16 units: 15 pass, 14 are too short', async () => {
    // 𩸽 is one character but two UTF-16 units.
    const fifteen = await evaluate('Zq7!mPw2-kR9vX𩸽')
    const fourteen = await evaluate('Zq7!mPw2-kR9v𩸽')
    expect(fifteen.refusals).toEqual([])
    expect(fifteen.ok).toBe(true)
    expect(fourteen).toMatchObject({ ok: false, refusals: ['tooShort'], strength: null })
  })

  it('accepts 128 characters and refuses 129', async () => {
    const long = createHash('sha512').update('x').digest('hex')
    expect(long).toHaveLength(128)
    expect((await evaluate(long)).ok).toBe(true)
    expect(await evaluate(`${long}a`)).toMatchObject({ ok: false, refusals: ['tooLong'], strength: null })
  })

  it('honours the configured minimum', async () => {
    expect((await evaluate('fjord lantern quiver', { minLength: 21 })).refusals).toEqual(['tooShort'])
  })
})

describe('normalisation', () => {
  it('folds full-width letters and digits to ASCII (NFKC)', () => {
    expect(normalisePassword('Ｔａｎｇｅｒｉｎｅ　４７')).toBe('Tangerine 47')
  })

  it('returns what to hash, so full-width and ASCII typing give one password', async () => {
    const fullWidth = await evaluate('Ｔａｎｇｅｒｉｎｅ ｕｍｂｒｅｌｌａ ４７')
    expect(fullWidth).toMatchObject({ ok: true, normalised: STRONG })
  })

  it('accepts a Japanese passphrase with spaces, and keeps the spaces', async () => {
    const verdict = await evaluate('しずかな 湖に 青い 舟が 浮かぶ')
    expect(verdict).toMatchObject({ ok: true, refusals: [], normalised: 'しずかな 湖に 青い 舟が 浮かぶ' })
  })
})

describe('exposed password', () => {
  const exposed = 'fjord lantern quiver 83'
  let legacyHash = ''

  beforeAll(async () => {
    legacyHash = await bcrypt.hash(exposed, 4)
  })

  it.each(['$2b$', '$2a$', '$2y$'])('refuses the password behind the legacy %s hash', async (prefix) => {
    const verdict = await evaluate(exposed, { legacyHash: `${prefix}${legacyHash.slice(4)}` })
    expect(verdict.refusals).toEqual(['exposedPassword'])
  })

  it('refuses it typed in full-width characters too', async () => {
    const verdict = await evaluate('ｆｊｏｒｄ ｌａｎｔｅｒｎ ｑｕｉｖｅｒ ８３', { legacyHash })
    expect(verdict.refusals).toEqual(['exposedPassword'])
  })

  it('accepts another password, and ignores a malformed legacy hash', async () => {
    expect((await evaluate(STRONG, { legacyHash })).ok).toBe(true)
    expect((await evaluate(exposed, { legacyHash: 'not bcrypt' })).ok).toBe(true)
  })
})

describe('common passwords', () => {
  it.each(['passwordstandard', 'PassWordStandard', 'ＰＡＳＳＷＯＲＤＳＴＡＮＤＡＲＤ'])(
    'refuses %s from the list, whatever its case or width',
    async (password) => {
      expect((await evaluate(password)).refusals).toContain('commonPassword')
    },
  )

  it('refuses short list entries when the minimum allows them', async () => {
    expect((await evaluate('TrustNo1', { minLength: 8 })).refusals).toContain('commonPassword')
  })

  it('does not refuse a password that merely contains an entry', async () => {
    expect((await evaluate('trustno1 fjord lantern')).refusals).not.toContain('commonPassword')
  })
})

describe('personal information', () => {
  const personalWords = personalWordsOf({
    familyName: '佐藤',
    givenName: '花子',
    familyNameKana: 'サトウ',
    givenNameKana: 'ハナコ',
    email: 'Hanako.Sato@example.jp',
    birthDate: '1988-04-01',
    phone: '090-1234-5678',
  })

  it('derives names, e-mail parts, birth-date shapes and phone digits', () => {
    expect(personalWords).toEqual(
      expect.arrayContaining(['サトウ', 'ハナコ', 'Hanako.Sato', 'Hanako', 'Sato', '09012345678']),
    )
    expect(personalWords).toEqual(
      expect.arrayContaining(['19880401', '880401', '0401', '1988', '01041988', '04011988']),
    )
    expect(personalWordsOf({})).toEqual([])
  })

  it.each([
    'maple ハナコ river stone',
    'maple はなこ river stone',
    'MAPLE HANAKO river stone',
    'maple sato-river stone',
    'maple 090-1234-5678 river',
    'maple 1988-04-01 river',
  ])('refuses %s', async (password) => {
    expect((await evaluate(password, { personalWords })).refusals).toContain('personalInformation')
  })

  it.each(['19880401', '880401', '0401', '1988', '01041988', '04011988'])(
    'refuses the birth date typed as %s',
    async (shape) => {
      const verdict = await evaluate(`glacier ${shape} orbit violet`, { personalWords })
      expect(verdict.refusals).toContain('personalInformation')
    },
  )

  it('ignores words shorter than 3 characters, such as a two-kanji name', async () => {
    const verdict = await evaluate('佐藤さんの 青い 自転車は 速い', { personalWords })
    expect(verdict.refusals).not.toContain('personalInformation')
  })

  it('does not refuse someone else for these words', async () => {
    expect((await evaluate('maple hanako river stone')).refusals).not.toContain('personalInformation')
  })
})

describe('service names', () => {
  it.each([
    'I love SEKAIMON shopping',
    'ｓｅｋａｉｍｏｎ fjord lantern',
    'sekai mon fjord lantern',
    'セカイモンで 青い 舟を 買った',
    'せかいもんで 青い 舟を 買った',
    'ｾｶｲﾓﾝで 青い 舟を 買った',
    'fjord Bee-Nos lantern 83',
  ])('refuses %s', async (password) => {
    expect((await evaluate(password)).refusals).toContain('serviceName')
  })
})

describe('Pwned Passwords', () => {
  let server: Server
  let pwnedPasswordsUrl = ''
  const suffix = createHash('sha1').update(STRONG).digest('hex').toUpperCase().slice(5)

  beforeAll(async () => {
    server = createServer((_request, response) => response.end(`${suffix}:12\r\n`))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    pwnedPasswordsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  it('refuses a password the service has seen', async () => {
    expect((await evaluate(STRONG, { pwnedPasswordsUrl })).refusals).toEqual(['pwned'])
  })

  it('skips the check when the service cannot answer', async () => {
    expect((await evaluate(STRONG, { pwnedPasswordsUrl: 'http://127.0.0.1:1' })).ok).toBe(true)
  })
})

describe('strength', () => {
  it('refuses a weak password that no other rule catches, with zxcvbn feedback', async () => {
    const verdict = await evaluate('qwertyuiopasdfgh')
    expect(verdict.refusals).toEqual(['weak'])
    expect(verdict.strength?.score).toBeLessThan(3)
    expect(verdict.strength?.warning).not.toBeNull()
  })

  it('sees through l33t spellings', async () => {
    const verdict = await evaluate('P@55w0rd1234567')
    expect(verdict.refusals).toContain('weak')
    expect(verdict.strength?.suggestions).toContain('substitutions')
  })

  it('accepts a strong one, and reports its strength for the meter', async () => {
    const verdict = await evaluate(STRONG)
    expect(verdict).toMatchObject({ ok: true, refusals: [] })
    expect(verdict.strength?.score).toBeGreaterThanOrEqual(3)
  })

  it('still reports strength when another rule refuses', async () => {
    const verdict = await evaluate('passwordstandard')
    expect(verdict.refusals).toEqual(['commonPassword', 'weak'])
    expect(verdict.strength?.score).toBeLessThan(3)
  })
})

describe('strength feedback', () => {
  it('answers with our own translation keys, not zxcvbn’s nor English', async () => {
    const strength = await scorePassword({ password: 'password', userInputs: [] })
    expect(strength).toEqual({ score: 0, warning: 'veryCommon', suggestions: ['moreWords'] })
    const repeated = await scorePassword({ password: 'aaaaaaaaaaaaaaa', userInputs: [] })
    expect(STRENGTH_WARNINGS).toContain(repeated.warning)
    for (const suggestion of repeated.suggestions) expect(STRENGTH_SUGGESTIONS).toContain(suggestion)
  })

  it('counts the person’s own words as guessable', async () => {
    const strength = await scorePassword({ password: 'xyzzyplughquux', userInputs: ['xyzzyplughquux'] })
    expect(strength.warning).toBe('personalDetails')
  })

  const account = (language: string) =>
    JSON.parse(readFileSync(new URL(`../../locales/${language}/account.json`, import.meta.url), 'utf8'))

  it.each(['ja', 'en'])('has a sentence of our own in %s for every key, and only for those', (language) => {
    const { strength } = account(language)
    expect(Object.keys(strength.warnings).sort()).toEqual([...STRENGTH_WARNINGS].sort())
    expect(Object.keys(strength.suggestions).sort()).toEqual([...STRENGTH_SUGGESTIONS].sort())
    // zxcvbn-ts's stock English, which is not a sentence a person understands.
    expect(JSON.stringify(strength)).not.toMatch(/page related data|Capitalize some, but not all/)
  })
})

describe('the meter', () => {
  it.each<[string, Partial<NewPassword>, string | undefined]>([
    ['Tangerine umbrella 47', {}, undefined],
    ['sekaimon tangerine umbrella 47', {}, 'serviceName'],
    ['hanako tangerine umbrella 47', { personalWords: ['hanako'] }, 'personalInformation'],
    ['1qaz2wsx3edc4rfv', {}, 'commonPassword'],
  ])('reads %s as the policy judges it', async (password, options, refusal) => {
    const verdict = await evaluate(password, options)
    const reading = meterReadingOf(verdict)
    expect(reading.refusals).toEqual(verdict.refusals)
    if (refusal) {
      expect(reading.refusals).toContain(refusal)
      // Never "strong" (3) or "very strong" (4), whatever zxcvbn alone makes of it.
      expect(reading.score).toBeLessThan(3)
    } else {
      expect(reading.score).toBeGreaterThanOrEqual(3)
    }
  })

  it('never reads the exposed password as strong', async () => {
    const legacyHash = await bcrypt.hash('tangerine umbrella 47', 4)
    const reading = meterReadingOf(await evaluate('tangerine umbrella 47', { legacyHash }))
    expect(reading).toMatchObject({ refusals: ['exposedPassword'] })
    expect(reading.score).toBeLessThan(3)
  })

  it('reads a password of the wrong length as refused for its length, with no hints', async () => {
    expect(meterReadingOf(await evaluate('short'))).toEqual({
      score: 0,
      warning: null,
      suggestions: [],
      refusals: ['tooShort'],
    })
  })
})
