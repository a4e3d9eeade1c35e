import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type KeyStatus, keyIdHex } from '~/keys/key-status.server'
import { indexKeyIdOf } from '~db/blind-index'
import { CURRENT_SUITE, dataKeyFrom } from '~db/seal'
import {
  commandEnv,
  emailCodeTo,
  importExport,
  type Page,
  printerRows,
  readDatabase,
  Visitor,
} from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { integrityOf } from '../support/killed-portal'
import { type CommandResult, startPortalCommand } from '../support/notified-population'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * `npm run keys:rotate` end to end, as an operator would run it: a database
 * whose members were imported and notified under data key A and index key A,
 * the portal serving it with B current and A previous for both, a rotation SIGKILLed part way
 * and run again to its end, while members keep checking by e-mail and reading
 * their exposure page. Afterwards nothing is under A, the file is sound, and
 * the portal starts with B alone: an e-mail check works and a letter code
 * printed on a postcard before the rotation still opens its member's page.
 */

const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const EXPOSURE_HEADING: string = locale('ja', 'exposure').heading

/** Enough members for the subjects alone to take several batches of 250 rows. */
const MEMBERS = 2_400
/** The first of them have an e-mail address (each checks by e-mail at most once); the others get postcards. */
const WITH_EMAIL = 150
const BIRTH_DATE = '1980-05-06'
const addressOf = (i: number) => `rotate${i}@example.jp`

const secrets = testSecrets()
const KEY_A = secrets.PORTAL_DATA_KEY
const KEY_B = randomBytes(32).toString('base64')
const ID_A = keyIdHex(dataKeyFrom(KEY_A).id)
const ID_B = keyIdHex(dataKeyFrom(KEY_B).id)
/** The three bytes every value sealed under B starts with: the suite, then B's ID. */
const HEADER_B = Buffer.alloc(3)
HEADER_B.writeUInt8(CURRENT_SUITE, 0)
HEADER_B.writeUInt16BE(dataKeyFrom(KEY_B).id, 1)
// The index key is rotated in the same run: its digests are recomputed once the values are under B.
const INDEX_A = secrets.PORTAL_INDEX_KEY
const INDEX_B = randomBytes(32).toString('base64')
const BOTH_KEYS = {
  PORTAL_DATA_KEY: KEY_B,
  PORTAL_PREVIOUS_DATA_KEYS: KEY_A,
  PORTAL_INDEX_KEY: INDEX_B,
  PORTAL_PREVIOUS_INDEX_KEY: INDEX_A,
}
const ONLY_B = { PORTAL_DATA_KEY: KEY_B, PORTAL_INDEX_KEY: INDEX_B }
const INDEX_ID_A = indexKeyIdOf(INDEX_A)
const INDEX_ID_B = indexKeyIdOf(INDEX_B)
type KeysReport = KeyStatus & { index: { storedKeyId: string; toRecompute: number; problem: string | null } }

let directory: string
let databasePath: string
let sink: SmtpSink
let portal: PortalServer | undefined
/** Ends the load, should a test fail while it runs. */
let stopLoad: (() => Promise<unknown>) | undefined
/** Letter codes of postcards printed before the rotation. */
let postcardCodes: string[] = []
/** Addresses not yet used for an e-mail check: the per-address code limit is 5 an hour. */
const freshAddresses = Array.from({ length: WITH_EMAIL }, (_, i) => addressOf(i))

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'portal-rotate-'))
  databasePath = join(directory, 'portal.db')
  sink = await startSmtpSink()
  // The import and notify commands run under A, the only key there is at first.
  const { postcards, summary } = await importExport(
    databasePath,
    secrets,
    {
      'members.csv': [
        MEMBER_COLUMNS,
        ...Array.from({ length: MEMBERS }, (_, i) =>
          member({
            member_id: `R${String(i).padStart(5, '0')}`,
            email: i < WITH_EMAIL ? addressOf(i) : '',
            birth_date: BIRTH_DATE,
          }),
        ),
      ],
    },
    { notify: true },
  )
  expect(summary).toMatchObject({ email: WITH_EMAIL, postcard: MEMBERS - WITH_EMAIL })
  postcardCodes = printerRows(postcards).map((row) => row.letter_code ?? '')
  expect(postcardCodes.every((code) => code !== '')).toBe(true)
}, 120_000)

afterAll(async () => {
  await stopLoad?.()
  await portal?.stop()
  await sink?.close()
  if (directory) rmSync(directory, { recursive: true, force: true })
})

const keysCommand = (keys: Record<string, string>, args: string[]) =>
  startPortalCommand('app/cli/keys.ts', {
    cwd: directory,
    env: { ...commandEnv(databasePath, secrets), ...keys },
    args,
  })

async function status(keys: Record<string, string>) {
  const result = await keysCommand(keys, ['status', '--json']).result
  return { result, report: JSON.parse(result.stdout) as KeysReport }
}

/** How many members' records are sealed under B, of how many. */
function subjectsUnderB() {
  let db: Database.Database | undefined
  try {
    db = new Database(databasePath, { readonly: true, fileMustExist: true, timeout: 50 })
    return db
      .prepare('select count(*) as total, sum(substr(record_sealed, 1, 3) = ?) as underB from subjects')
      .get(HEADER_B) as { total: number; underB: number | null }
  } catch {
    // Busy for a moment: nothing seen this time.
    return { total: 0, underB: null }
  } finally {
    db?.close()
  }
}

function startServer(keys: Record<string, string>) {
  return startPortal({
    env: {
      ...secrets,
      ...keys,
      DATABASE_URL: databasePath,
      SMTP_URL: sink.url,
      SMTP_RATE: '1000',
      // The load's checks all come from loopback.
      IP_CHECK_LIMIT: '3000',
    },
  })
}

/** Proves an address by the code the portal e-mails to it; the visitor is then signed in. */
async function checkByEmail(visitor: Visitor, address: string) {
  const from = sink.received.length
  const asked = await visitor.submit('/check/email', { email: address })
  if (asked.status !== 303 || asked.location !== '/check/email/code')
    throw new Error(`asking a code for ${address}: ${asked.status} ${asked.location}`)
  const code = await emailCodeTo(sink, address, from)
  const verified = await visitor.post('/check/email/code', { csrf: visitor.csrf ?? '', code })
  if (verified.status !== 303 || verified.location !== '/exposure')
    throw new Error(`the code for ${address}: ${verified.status} ${verified.location}`)
  await expectExposurePage(visitor)
}

async function expectExposurePage(visitor: Visitor) {
  const page = await visitor.get('/exposure')
  if (page.status !== 200 || !page.body.includes(EXPOSURE_HEADING))
    throw new Error(`the exposure page: ${page.status}`)
}

function nextAddress() {
  const address = freshAddresses.shift()
  if (!address) throw new Error('no unused address left for an e-mail check')
  return address
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A visitor that notes the status of every response it gets. */
class NotingVisitor extends Visitor {
  constructor(
    base: string,
    private readonly statuses: number[],
  ) {
    super(base)
  }

  override async request(...args: Parameters<Visitor['request']>): Promise<Page> {
    const page = await super.request(...args)
    this.statuses.push(page.status)
    return page
  }
}

/**
 * A light, steady load on the portal until stopped: one signed-in member
 * reading their exposure page every 100 ms, and one new member after another
 * checking by e-mail, 250 ms apart (the last address is kept for after the
 * restart). Failures are collected, not thrown, so the test sees them all.
 */
function startLoad(url: string, reader: Visitor) {
  const statuses: number[] = []
  const failures: string[] = []
  let running = true
  let reads = 0
  let checks = 0
  const noted = (what: string, error: unknown) =>
    failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`)
  const reading = (async () => {
    const visitor = new NotingVisitor(url, statuses)
    for (const [name, value] of reader.cookies) visitor.cookies.set(name, value)
    while (running) {
      await expectExposurePage(visitor).then(
        () => reads++,
        (error) => noted('reading', error),
      )
      await pause(100)
    }
  })()
  const checking = (async () => {
    while (running && freshAddresses.length > 1) {
      const address = nextAddress()
      await checkByEmail(new NotingVisitor(url, statuses), address).then(
        () => checks++,
        (error) => noted(address, error),
      )
      await pause(250)
    }
  })()
  return {
    /** How many reads and checks have succeeded so far. */
    done: () => ({ reads, checks }),
    stop: async () => {
      running = false
      await Promise.all([reading, checking])
      return { statuses, failures, reads, checks }
    },
  }
}

function succeeded(result: CommandResult) {
  expect(result.signal, result.stderr).toBeNull()
  expect(result.status, result.stderr).toBe(0)
  return result
}

describe('npm run keys:rotate while the portal serves', () => {
  it('is killed part way, runs again to its end, and the portal keeps answering throughout', async () => {
    const before = await status(BOTH_KEYS)
    succeeded(before.result)
    const sealedValues = before.report.toReseal
    expect(before.report.keys).toEqual([
      { keyId: ID_B, role: 'current', suites: {}, values: 0 },
      expect.objectContaining({ keyId: ID_A, role: 'previous', values: sealedValues }),
    ])
    // Several batches' worth beyond the subjects.
    expect(sealedValues).toBeGreaterThan(MEMBERS)
    // Every blind index is still under index key A, each of its rows to recompute under B.
    expect(before.report.index).toMatchObject({ storedKeyId: INDEX_ID_A, problem: null })
    expect(before.report.index.toRecompute).toBeGreaterThan(MEMBERS)

    portal = await startServer(BOTH_KEYS)
    // A member signed in before the rotation, who keeps reading their page through it.
    const reader = new Visitor(portal.url)
    await checkByEmail(reader, nextAddress())
    const load = startLoad(portal.url, reader)
    stopLoad = load.stop

    // The first run, SIGKILLed once it has sealed some members' records under B, not all.
    const beforeFirst = load.done()
    const first = keysCommand(BOTH_KEYS, ['rotate', '--json'])
    let exited = false
    void first.result.finally(() => {
      exited = true
    })
    let seen = { total: 0, underB: null as number | null }
    while (!exited) {
      seen = subjectsUnderB()
      if (seen.underB && seen.underB < seen.total) {
        first.child.kill('SIGKILL')
        break
      }
      await pause(5)
    }
    const killed = await first.result
    const afterFirst = load.done()
    expect(killed.signal, `the first run ended by itself: ${killed.stderr}`).toBe('SIGKILL')
    const atKill = await status(BOTH_KEYS)
    succeeded(atKill.result)
    const underA = atKill.report.keys.find((key) => key.keyId === ID_A)?.values ?? 0
    const underB = atKill.report.keys.find((key) => key.keyId === ID_B)?.values ?? 0
    // Part way: some values already under B, many still under A; none lost or unreadable.
    expect(underB).toBeGreaterThan(0)
    expect(underA).toBeGreaterThan(0)
    expect(atKill.report).toMatchObject({ toReseal: underA, unopenable: 0, malformed: 0 })
    expect(integrityOf(databasePath)).toBe('ok')

    // The second run finds what is left and finishes it.
    const beforeSecond = load.done()
    const second = succeeded(await keysCommand(BOTH_KEYS, ['rotate', '--json']).result)
    const afterSecond = load.done()
    // It saw the portal serving the file, and gives the portal most of the time.
    expect(second.stderr).toContain('The portal is serving this database:')
    expect(second.stderr).toContain(`values sealed again under key ${ID_B}.`)
    expect(second.stderr).toContain(`blind indexes recomputed under index key ${INDEX_ID_B}.`)
    expect(JSON.parse(second.stdout) as KeysReport).toMatchObject({
      toReseal: 0,
      unopenable: 0,
      index: { storedKeyId: INDEX_ID_B, toRecompute: 0, problem: null },
    })

    const { statuses, failures, reads, checks } = await load.stop()
    expect(failures).toEqual([])
    expect(statuses.filter((code) => code >= 500)).toEqual([])
    // The load did run beside each of the two runs, not only around them.
    expect(afterFirst.reads).toBeGreaterThan(beforeFirst.reads)
    expect(afterSecond.reads).toBeGreaterThan(beforeSecond.reads)
    expect(checks).toBeGreaterThanOrEqual(2)
    console.log(
      `keys:rotate: ${sealedValues} values; killed with ${underB} under B; load: ${reads} page reads, ${checks} e-mail checks, ${statuses.length} responses`,
    )
  }, 120_000)

  it('leaves nothing under A and the file sound, every blind index under index key B', async () => {
    const withBoth = await status(BOTH_KEYS)
    succeeded(withBoth.result)
    expect(withBoth.report).toMatchObject({ toReseal: 0, unopenable: 0, malformed: 0 })
    expect(withBoth.report.keys.filter((key) => key.role === 'previous' && key.values > 0)).toEqual([])
    // With B alone, every value opens.
    const alone = await status(ONLY_B)
    succeeded(alone.result)
    expect(alone.report).toMatchObject({ toReseal: 0, unopenable: 0, malformed: 0 })
    expect(alone.report.index).toMatchObject({ storedKeyId: INDEX_ID_B, toRecompute: 0, problem: null })
    expect(alone.report.keys.map(({ keyId, role }) => ({ keyId, role }))).toEqual([
      { keyId: ID_B, role: 'current' },
    ])
    expect(integrityOf(databasePath)).toBe('ok')
    // Every member is still there, each record under B.
    expect(
      readDatabase(databasePath, (db) =>
        db
          .prepare('select count(*) from subjects where substr(record_sealed, 1, 3) = ?')
          .pluck()
          .get(HEADER_B),
      ),
    ).toBe(MEMBERS)
  })

  it('starts again with B alone, data and index keys: an e-mail check works, and a letter code printed before the rotation opens its page', async () => {
    await portal?.stop()
    portal = await startServer(ONLY_B)
    const byEmail = new Visitor(portal.url)
    await checkByEmail(byEmail, nextAddress())

    const byLetter = new Visitor(portal.url)
    const checked = await byLetter.submit('/check/letter', {
      code: postcardCodes.at(-1) ?? '',
      proof: BIRTH_DATE,
    })
    expect(checked.status).toBe(303)
    expect(checked.location).toBe('/exposure')
    await expectExposurePage(byLetter)
  }, 90_000)
})
