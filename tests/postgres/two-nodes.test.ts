import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newLetterCode } from '~/codes/letter-code.server'
import { closeDatabase } from '~db/client'
import { importFiles } from '~db/import/import-files'
import { createPortalCrypto } from '~db/portal-crypto'
import { awayFromWindowEdge, commandEnv, emailCodeTo, letterCodeOf, Visitor } from '../support/check-visitor'
import { MEMBER_COLUMNS, member, writeCsv } from '../support/export-files'
import { openMigratedDatabase } from '../support/migrated-database'
import { runPortalCommand } from '../support/notified-population'
import { type PortalServer, startPortal } from '../support/portal-server'
import { postgresCopyOf, queryPostgres } from '../support/postgres-copy'
import type { ScratchPostgresDatabase } from '../support/postgres-database'
import { testSecrets } from '../support/secrets'
import { settleAll } from '../support/settle-all'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'
import { enrolStaff, signInWithApp } from '../support/staff-authenticator'
import { STAFF_PASSWORD } from '../support/staff-portal'
import { createTestAgent } from '../support/test-staff'

/**
 * Two web nodes, each started as `npm start` starts one, on two ports against
 * one PostgreSQL database: what a load balancer in front of them needs of
 * them. A customer checked on one is signed in on the other; a limit counts
 * the requests of both; both nodes' senders drain one outbox without sending
 * a message twice; staff actions on both append to one audit chain.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const CUSTOMER = 'hanako.nodes@example.jp'
/** People notified once both nodes run: enough that neither node's sender could take them all alone. */
const NOTIFIED = 40
const noticeAddress = (i: number) => `notified${i}@example.jp`
const AGENT = 'agent.nodes@example.jp'
const FAILURE_LIMIT = 4
const QUARTER_HOUR = 15 * 60 * 1000
const EXPOSURE = JSON.parse(readFileSync(new URL('../../locales/ja/exposure.json', import.meta.url), 'utf8'))

let folder: string
let database: ScratchPostgresDatabase | undefined
let sink: SmtpSink | undefined
let nodeA: PortalServer | undefined
let nodeB: PortalServer | undefined
let agentEnrolment = ''

const started = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error('the two nodes are used before they started')
  return value
}

/** Each node sends under an address of its own, so the sink can tell whose sender delivered a message. */
const senderOf = (node: 'a' | 'b') => `no-reply@${node}.portal.example`

beforeAll(async () => {
  // The people and the agent, seeded into SQLite as other tests seed them, then copied over.
  folder = mkdtempSync(join(tmpdir(), 'two-nodes-'))
  const seeded = join(folder, 'seeded.db')
  const exports = join(folder, 'export')
  mkdirSync(exports)
  writeCsv(join(exports, 'members.csv'), [
    MEMBER_COLUMNS,
    member({ member_id: 'M1', email: CUSTOMER }),
    ...Array.from({ length: NOTIFIED }, (_, i) =>
      member({ member_id: `M${100 + i}`, email: noticeAddress(i) }),
    ),
  ])
  const sqlite = openMigratedDatabase(seeded)
  try {
    await importFiles({ db: sqlite, crypto, paths: [exports] })
    agentEnrolment = (await createTestAgent(sqlite, crypto, { email: AGENT, name: '節点 試験' }))
      .enrolmentPassword
  } finally {
    closeDatabase(sqlite)
  }
  database = await postgresCopyOf(seeded, 'two_nodes')
  sink = await startSmtpSink()
  const node = (name: 'a' | 'b') =>
    startPortal({
      env: {
        ...secrets,
        DATABASE_URL: started(database).url,
        SMTP_URL: started(sink).url,
        // Slow enough that one sender needs seconds for the notices: the other's polls find some left.
        SMTP_RATE: '10',
        MAIL_FROM: `Sekaimon <${senderOf(name)}>`,
        // The limit test speaks from an address of its own (X-Forwarded-For).
        TRUST_PROXY: '1',
        IP_FAILURE_LIMIT: String(FAILURE_LIMIT),
      },
    })
  // Started together, as a deployment's nodes are: both migrate and check the one database at once.
  await settleAll(
    node('a').then((server) => {
      nodeA = server
    }),
    node('b').then((server) => {
      nodeB = server
    }),
  )
}, 120_000)

afterAll(async () => {
  try {
    await settleAll(nodeA?.stop(), nodeB?.stop(), sink?.close())
    await database?.drop()
  } finally {
    if (folder) rmSync(folder, { recursive: true, force: true })
  }
})

describe('two web nodes on one PostgreSQL database', () => {
  it('deliver each notice once between their two senders', async () => {
    const smtp = started(sink)
    const notified = await runPortalCommand('app/cli/notify.ts', {
      cwd: folder,
      env: commandEnv(started(database).url, secrets),
      args: ['--json'],
    })
    expect(notified.status, notified.stderr).toBe(0)
    expect(JSON.parse(notified.stdout)).toMatchObject({ email: NOTIFIED + 1 })
    await smtp.waitFor(NOTIFIED + 1, 60_000)
    // Every message sent and none still being sent: whatever either sender took has reached the sink.
    const outbox = await untilSettled(started(database).url)
    expect(outbox).toEqual([{ state: 'sent', n: NOTIFIED + 1 }])
    const notices = smtp.received.filter((mail) => letterCodeOf(mail) !== undefined)
    const addresses = [CUSTOMER, ...Array.from({ length: NOTIFIED }, (_, i) => noticeAddress(i))]
    expect(notices.flatMap((mail) => mail.to).sort()).toEqual(addresses.sort())
    expect(new Set(notices.map((mail) => mail.messageId)).size).toBe(NOTIFIED + 1)
    // Both senders took part.
    const senders = new Set(notices.map((mail) => mail.from))
    expect(senders).toEqual(new Set([senderOf('a'), senderOf('b')]))
  })

  it('sign a customer in on one node and know them on the other', async () => {
    const onA = new Visitor(started(nodeA).url)
    const from = started(sink).received.length
    const asked = await onA.submit('/check/email', { email: CUSTOMER })
    expect(asked.location).toBe('/check/email/code')
    const code = await emailCodeTo(started(sink), CUSTOMER, from)
    const verified = await onA.post('/check/email/code', { csrf: onA.csrf ?? '', code })
    expect(verified.location).toBe('/exposure')

    const onB = new Visitor(started(nodeB).url)
    for (const [name, value] of onA.cookies) onB.cookies.set(name, value)
    const exposure = await onB.get('/exposure')
    expect(exposure.status).toBe(200)
    expect(exposure.body).toContain(EXPOSURE.heading)
    expect(exposure.body).toContain('h***@example.jp')
    // Without the cookie, node B knows no one.
    expect((await new Visitor(started(nodeB).url).get('/exposure')).status).toBe(403)
  })

  it('count one client’s failures on both nodes into one limit', async () => {
    await awayFromWindowEdge(QUARTER_HOUR)
    const client = { 'X-Forwarded-For': '198.51.100.23' }
    const visitors = [new Visitor(started(nodeA).url, client), new Visitor(started(nodeB).url, client)]
    const wrongLetter = (attempt: number) =>
      (visitors[attempt % 2] as Visitor).submit('/check/letter', {
        code: newLetterCode().printed,
        proof: '2000-01-01',
      })
    // Alternating: each node sees only half of them, and the limit still holds at the total.
    for (let attempt = 1; attempt <= FAILURE_LIMIT; attempt++) {
      expect((await wrongLetter(attempt)).status, `failure ${attempt}`).toBe(422)
    }
    expect((await wrongLetter(FAILURE_LIMIT + 1)).status).toBe(429)
    expect((await wrongLetter(FAILURE_LIMIT + 2)).status).toBe(429)
    // Another client is not held back by it, on either node.
    const other = { 'X-Forwarded-For': '198.51.100.24' }
    expect((await new Visitor(started(nodeB).url, other).get('/check/letter')).status).toBe(200)
  })

  it('append staff actions on both nodes to one audit chain, without a gap', async () => {
    const enrolled = await enrolStaff(new Visitor(started(nodeA).url), {
      email: AGENT,
      enrolmentPassword: agentEnrolment,
      newPassword: STAFF_PASSWORD,
    })
    const onB = new Visitor(started(nodeB).url)
    const signedIn = await signInWithApp(onB, {
      email: AGENT,
      password: STAFF_PASSWORD,
      authenticator: enrolled.authenticator,
    })
    expect(signedIn.location).toBe('/staff')
    // Searches from both nodes at once: each appends an entry, and the appends race for the chain's end.
    const searchers = [enrolled.visitor, onB]
    for (const visitor of searchers) expect((await visitor.get('/staff/cases')).status).toBe(200)
    const SEARCHES_EACH = 6
    const searched = await Promise.all(
      searchers.flatMap((visitor) =>
        Array.from({ length: SEARCHES_EACH }, (_, i) =>
          visitor.post('/staff/cases', {
            csrf: visitor.csrf ?? '',
            kind: 'phone',
            value: `090-0000-${String(1000 + i)}`,
            birthDate: '',
          }),
        ),
      ),
    )
    for (const page of searched) expect(page.status).toBe(200)

    const url = started(database).url
    const entries = await queryPostgres<{ sequence: number; action: string }>(
      url,
      'select sequence::int as sequence, action from audit_log order by sequence',
    )
    expect(entries.map((entry) => entry.sequence)).toEqual(entries.map((_, i) => i + 1))
    expect(entries.filter((entry) => entry.action === 'case.searched')).toHaveLength(2 * SEARCHES_EACH)
    const [head] = await queryPostgres<{ last: number }>(
      url,
      'select last_sequence::int as last from audit_chain_head',
    )
    expect(head?.last).toBe(entries.length)
    const verified = await runPortalCommand('app/cli/audit.ts', {
      cwd: folder,
      env: commandEnv(url, secrets),
      args: ['verify', '--json'],
    })
    expect(verified.status, verified.stderr).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true })
  })
})

/** The outbox's count by state, once no message is pending or being sent. */
async function untilSettled(url: string) {
  const deadline = Date.now() + 30_000
  for (;;) {
    const counts = await queryPostgres<{ state: string; n: number }>(
      url,
      'select state, count(*)::int as n from outbox_messages group by state order by state',
    )
    if (!counts.some((row) => row.state === 'pending' || row.state === 'sending')) return counts
    if (Date.now() > deadline) throw new Error(`the outbox did not settle: ${JSON.stringify(counts)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
