import { type ChildProcess, execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { getPriority, tmpdir } from 'node:os'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { passwordWork, stopPasswordWork } from '~/accounts/password-work.server'

// Every helper process the module starts, so tests can count, inspect and kill them.
const helpers = vi.hoisted(() => [] as ChildProcess[])
vi.mock('node:child_process', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:child_process')>()
  const spawn = ((...args: Parameters<typeof actual.spawn>) => {
    const child = actual.spawn(...args)
    helpers.push(child)
    return child
  }) as typeof actual.spawn
  return { ...actual, spawn }
})

// Long random text keeps zxcvbn busy for a while: a call still in flight when the helper is killed.
const SLOW_TO_SCORE = createHash('sha512').update('slow').digest('hex').repeat(2)

afterAll(() => stopPasswordWork())

describe('the password helper process', () => {
  it('does the work: scores, hashes, verifies, compares legacy hashes', async () => {
    const strength = await passwordWork('score', { password: 'password', userInputs: [] })
    expect(strength).toMatchObject({ score: 0, warning: 'topTen' })
    const hash = await passwordWork('hash', {
      password: 'quiet harbour lanterns',
      options: { memoryCost: 19_456, timeCost: 2, parallelism: 1 },
    })
    expect(hash).toMatch(/^\$argon2id\$/)
    expect(await passwordWork('verify', { hash, password: 'quiet harbour lanterns' })).toBe(true)
    expect(await passwordWork('verify', { hash, password: 'quiet harbour lantern' })).toBe(false)
    const bcrypt = createRequire(import.meta.url)('bcrypt') as { hash(a: string, r: number): Promise<string> }
    const legacy = await bcrypt.hash('legacy-password', 4)
    expect(await passwordWork('legacy', { hash: legacy, password: 'legacy-password' })).toBe(true)
    expect(await passwordWork('legacy', { hash: legacy, password: 'other' })).toBe(false)
  })

  it('runs at a lower priority than the web server, so page requests get a core first', async () => {
    await passwordWork('score', { password: 'warm up', userInputs: [] })
    const helper = helpers.at(-1)
    expect(helper?.pid).toBeDefined()
    expect(getPriority(helper?.pid)).toBeGreaterThan(getPriority())
  })

  it('is reused across calls', async () => {
    await passwordWork('score', { password: 'first call', userInputs: [] })
    const started = helpers.length
    await passwordWork('score', { password: 'second call', userInputs: [] })
    await passwordWork('score', { password: 'third call', userInputs: [] })
    expect(helpers.length).toBe(started)
  })

  it('rejects calls in flight when it dies, and a new one takes the next call', async () => {
    await passwordWork('score', { password: 'warm up', userInputs: [] })
    const before = helpers.length
    const inFlight = passwordWork('score', { password: SLOW_TO_SCORE, userInputs: [] })
    helpers.at(-1)?.kill('SIGKILL')
    await expect(inFlight).rejects.toThrow(/stopped/)
    expect((await passwordWork('score', { password: 'password', userInputs: [] })).warning).toBe('topTen')
    expect(helpers.length).toBe(before + 1)
  })

  it('rejects calls in flight when stopped', async () => {
    const inFlight = passwordWork('score', { password: SLOW_TO_SCORE, userInputs: [] })
    stopPasswordWork()
    await expect(inFlight).rejects.toThrow(/stopped/)
  })

  it('answers a script run from elsewhere, even as an ES module, and does not keep it alive', async () => {
    const require = createRequire(import.meta.url)
    const workModule = new URL('../../app/accounts/password-work.server.ts', import.meta.url)
    const script = `const { passwordWork } = await import('${workModule}')
      console.log(JSON.stringify(await passwordWork('score', { password: 'password', userInputs: [] })))`
    const tsx = pathToFileURL(require.resolve('tsx/esm')).href
    // The timeout kills a process the idle helper keeps alive, and that fails the test.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', tsx, '--input-type=module', '--eval', script],
      { cwd: tmpdir(), timeout: 15_000 },
    )
    expect(JSON.parse(stdout)).toMatchObject({ score: 0, warning: 'topTen' })
  })
})
