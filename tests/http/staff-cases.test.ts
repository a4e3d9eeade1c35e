import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { DEMO_STAFF, ensureDemoStaff } from '~/staff/demo-staff.server'
import { createStaffMember } from '~/staff/staff-accounts.server'
import { EXPORTS } from '~db/generate/columns'
import { outboxContentContext } from '~db/notifications'
import { createPortalCrypto } from '~db/portal-crypto'
import { unsealJson } from '~db/seal'
import { caseDatabase } from '../support/case-database'
import { commandEnv, importExport, printerRows, Visitor, withoutTokens } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { generateMessyExport } from '../support/generated-export'
import { runPortalCommand } from '../support/notified-population'
import { portalRows, portalRun, portalValue, withPortalDatabase } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { ageStaffSecondFactorsOn, type EnrolledStaff, enrolStaff } from '../support/staff-authenticator'

/**
 * `/staff/cases` and `/staff/cases/:id` against the built server and an
 * imported generated export (demo personas included), notified: every search
 * kind with what a caller reads out, masked results only, the insider
 * rules (own record, a colleague's, hourly budgets), reveals with a reason
 * and a fresh second factor, and what each leaves in the audit log.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const [SUPERVISOR, AGENT] = DEMO_STAFF as [(typeof DEMO_STAFF)[number], (typeof DEMO_STAFF)[number]]
const NEW_PASSWORD = 'copper kettles hum beside winter orchards'
const staffEn = JSON.parse(readFileSync(new URL('../../locales/en/staff.json', import.meta.url), 'utf8'))
const EN = { 'Accept-Language': 'en' }
const OPENS_PER_HOUR = 4
const REVEALS_PER_HOUR = 2
const BUDGET_AGENT = 'budget.agent@example.jp'

let portal: PortalServer
const { humanOf, humanOfMember, auditRows, storedInClear } = caseDatabase(() => portal, crypto)
let supervisor: EnrolledStaff
let agent: EnrolledStaff
let budgetAgent: EnrolledStaff
let postcardLetterCode = ''
let postcardReference = ''

/** A generated export's files as rows, so hand-made rows can join them. */
function generatedRows(dir: string) {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith('.csv'))
      .map((name) => [
        name,
        parse(readFileSync(join(dir, name)), { bom: true, relax_column_count: true }) as string[][],
      ]),
  )
}

beforeAll(async () => {
  const generated = await generateMessyExport({ members: 120, seed: 'staff-cases', demo: true })
  const files = generatedRows(generated.dir)
  const membersFile = EXPORTS.members.fileName
  const header = files[membersFile]?.[0] ?? []
  // Customers who also work here: the demo agent's own record, and a colleague's.
  const asGenerated = (fields: Parameters<typeof member>[0]) => {
    const row = Object.fromEntries(MEMBER_COLUMNS.map((column, i) => [column, member(fields)[i] ?? '']))
    return header.map((column) => row[column] ?? '')
  }
  files[membersFile]?.push(
    asGenerated({ member_id: 'M90000001', email: AGENT.email, family_name: '鈴木', phone: '090-9000-0001' }),
    asGenerated({
      member_id: 'M90000002',
      email: SUPERVISOR.email,
      family_name: '佐藤',
      phone: '090-9000-0002',
    }),
  )
  portal = await startPortal({
    env: {
      ...secrets,
      CASE_OPENS_PER_HOUR: String(OPENS_PER_HOUR),
      CASE_REVEALS_PER_HOUR: String(REVEALS_PER_HOUR),
    },
  })
  // Into the database the portal serves from, and read back from it below, on either backend.
  const { postcards } = await importExport(portal, secrets, files, { notify: true })
  const shiken = printerRows(postcards).find((row) =>
    Object.values(row).some((value) => value.includes('試験')),
  )
  postcardLetterCode = shiken?.letter_code ?? ''
  postcardReference = shiken?.message_reference ?? ''
  expect(postcardLetterCode).not.toBe('')
  rmSync(generated.dir, { recursive: true, force: true })

  const budgetEnrolment = await withPortalDatabase(portal.databaseUrl, async (db) => {
    await ensureDemoStaff({ db, crypto })
    const created = await createStaffMember({
      db,
      crypto,
      actor: { kind: 'system', via: 'command' },
      email: { shown: BUDGET_AGENT, matched: BUDGET_AGENT },
      name: '予算 テスト',
      role: 'agent',
    })
    if (!created.ok) throw new Error('could not create the budget agent')
    return created.enrolmentPassword
  })
  const enrol = (email: string, enrolmentPassword: string) =>
    enrolStaff(new Visitor(portal.url, EN), { email, enrolmentPassword, newPassword: NEW_PASSWORD })
  supervisor = await enrol(SUPERVISOR.email, SUPERVISOR.enrolmentPassword)
  agent = await enrol(AGENT.email, AGENT.enrolmentPassword)
  budgetAgent = await enrol(BUDGET_AGENT, budgetEnrolment)
}, 240_000)

afterAll(async () => {
  // Every page above rendered with real translations and without a server error.
  expect(portal?.output()).not.toContain('missing translation')
  expect(portal?.output()).not.toMatch(/\bError\b/)
  await portal?.stop()
  await stopPasswordWork()
})

async function search(staff: EnrolledStaff, kind: string, value: string, birthDate = '') {
  await staff.visitor.get('/staff/cases')
  return staff.visitor.post('/staff/cases', { csrf: staff.visitor.csrf ?? '', kind, value, birthDate })
}

const casesFound = (html: string) =>
  [...html.matchAll(/href="\/staff\/cases\/(\d+)"/g)].map((match) => Number(match[1]))

describe('case search', { timeout: 60_000 }, () => {
  it('finds each kind of key as a caller reads it out, through the blind indexes', async () => {
    const hanako = await humanOfMember('M00000001')
    const jiro = await humanOfMember('M00000003')
    const shiken = await humanOfMember('M00000002')
    expect(hanako).toBeGreaterThan(0)
    const cases: [string, string, string, number][] = [
      ['email', '  ＨＡＮＡＫＯ.Mihon@Example.JP ', '', hanako],
      ['phone', '０９０－００００－０００１', '', hanako],
      ['phone', '+81 90 0000 0001', '', hanako],
      ['member-id', ' m０００００００１', '', hanako],
      ['buyer-id', 'ＹＢ＿demo000001', '', jiro],
      ['employee-id', 'ｅ00001', '', await humanOf('employee', 'employee-id', 'E00001')],
      ['warehouse-id', 'w 000001', '', await humanOf('warehouse_staff', 'staff-id', 'W000001')],
      ['letter-code', postcardLetterCode.toLowerCase().replaceAll('-', ' '), '', shiken],
      ['message-ref', postcardReference.replace(/^R-/, '').toLowerCase(), '', shiken],
      ['kana-birth', 'みほん', '昭和60年4月1日', hanako],
      ['kana-birth', 'ﾐﾎﾝ', 'S60.4.1', hanako],
    ]
    for (const [kind, value, birthDate, human] of cases) {
      const page = await search(supervisor, kind, value, birthDate)
      expect(page.status, `${kind} ${value}`).toBe(200)
      expect(casesFound(page.body), `${kind} ${value}`).toEqual([human])
    }
    // The buyer record and the member record of one person come as one result.
    const both = await search(supervisor, 'phone', '080-0000-0003')
    expect(casesFound(both.body)).toEqual([jiro])
    expect(both.body).toContain(staffEn.cases.cohorts.auction_buyer)
    expect(both.body).toContain(staffEn.cases.cohorts.member)
  })

  it('shows masked values only', async () => {
    const page = await search(supervisor, 'email', 'hanako.mihon@example.jp')
    const shown = withoutTokens(page.body, { echoed: 'hanako.mihon@example.jp' })
    expect(shown).toContain('h***@example.jp')
    expect(shown).toContain('***-****-0001')
    for (const clear of ['hanako.mihon', '090-0000-0001', '09000000001', '花子', 'M00000001', '1985-04-01']) {
      expect(shown, clear).not.toContain(clear)
    }
  })

  it('answers someone absent as any other empty result, and refuses what is no key', async () => {
    const nobody = await search(supervisor, 'phone', '090-1234-9876')
    const nothing = await search(supervisor, 'phone', '03-9999-0000')
    expect(nobody.status).toBe(200)
    expect(casesFound(nobody.body)).toEqual([])
    expect(withoutTokens(nobody.body, { a: '090-1234-9876' })).toBe(
      withoutTokens(nothing.body, { a: '03-9999-0000' }),
    )
    const bad = await search(supervisor, 'phone', 'not a number')
    expect(bad.status).toBe(422)
    expect(bad.body).toContain(staffEn.cases.errors.valueInvalid)
    const noDate = await search(supervisor, 'kana-birth', 'ミホン')
    expect(noDate.status).toBe(422)
    expect(noDate.body).toContain(staffEn.cases.errors.birthDateRequired)
    const huge = await search(supervisor, 'email', `${'a'.repeat(70_000)}@example.jp`)
    expect([413, 422]).toContain(huge.status)
  })

  it('audits every search with its kind and hit count, never the value', async () => {
    const before = (await auditRows("action = 'case.searched'")).length
    await search(supervisor, 'phone', '090-0000-0001')
    const rows = await auditRows("action = 'case.searched'")
    expect(rows.length).toBe(before + 1)
    expect(JSON.parse(rows.at(-1)?.detail ?? '{}')).toEqual({ hits: 1, kind: 'phone' })
    const everything = JSON.stringify(
      await portalRows(portal.databaseUrl, 'select detail, target_id from audit_log'),
    )
    expect(everything).not.toContain('0000-0001')
    expect(everything).not.toContain('hanako')
  })
})

describe('the case view', { timeout: 60_000 }, () => {
  it('shows the records, the notice and the timeline, masked, and audits the open', async () => {
    const hanako = await humanOfMember('M00000001')
    const page = await supervisor.visitor.get(`/staff/cases/${hanako}`)
    expect(page.status).toBe(200)
    expect(page.body).toContain(staffEn.caseView.records.heading)
    expect(page.body).toContain('h***@example.jp')
    expect(page.body).not.toContain('hanako.mihon@example.jp')
    expect(page.body).toContain(staffEn.caseView.timeline.heading)
    expect(page.body).toContain('Notice issued (e-mail)')
    const opens = await auditRows("action = 'case.opened' and target_id = ?", String(hanako))
    expect(opens.at(-1)).toMatchObject({ outcome: 'success', actor_id: expect.stringMatching(/^S/) })
  })

  it('refuses an unknown or malformed case ID with a page that says what to do', async () => {
    for (const path of ['/staff/cases/99999999', '/staff/cases/abc', '/staff/cases/0']) {
      const page = await supervisor.visitor.get(path)
      expect(page.status, path).toBe(404)
      expect(page.body).toContain(staffEn.caseView.refused.notFound.title)
    }
  })

  it('never opens a staff member their own record, nor an agent a colleague’s', async () => {
    const own = await humanOfMember('M90000001')
    const colleague = await humanOfMember('M90000002')
    const listed = await search(agent, 'phone', '090-9000-0001')
    expect(casesFound(listed.body)).toEqual([])
    expect(listed.body).toContain(staffEn.cases.results.barred.ownRecord)
    expect((await agent.visitor.get(`/staff/cases/${own}`)).status).toBe(403)
    expect((await agent.visitor.get(`/staff/cases/${colleague}`)).status).toBe(403)
    expect((await supervisor.visitor.get(`/staff/cases/${colleague}`)).status).toBe(403)
    expect((await supervisor.visitor.get(`/staff/cases/${own}`)).status).toBe(200)
    const refusals = await auditRows(
      "action = 'case.opened' and outcome = 'denied' and target_id in (?, ?)",
      String(own),
      String(colleague),
    )
    expect(refusals.map((row) => JSON.parse(row.detail).reason).sort()).toEqual([
      'colleagueRecord',
      'ownRecord',
      'ownRecord',
    ])
  })

  it('stops an agent past the hourly budget of different cases, and alerts', async () => {
    const humans = (
      await portalRows<{ human_id: number }>(
        portal.databaseUrl,
        "select distinct human_id from subjects where cohort = 'member' and email_index is not null order by human_id limit 20 offset 30",
      )
    ).map((row) => row.human_id)
    for (const human of humans.slice(0, OPENS_PER_HOUR)) {
      expect((await budgetAgent.visitor.get(`/staff/cases/${human}`)).status).toBe(200)
    }
    const over = await budgetAgent.visitor.get(`/staff/cases/${humans[OPENS_PER_HOUR]}`)
    expect(over.status).toBe(429)
    expect(over.body).toContain(staffEn.caseView.refused.overBudget.title)
    // A case opened this hour opens again.
    expect((await budgetAgent.visitor.get(`/staff/cases/${humans[0]}`)).status).toBe(200)
    const alerts = await auditRows("action = 'case.budget_exceeded' and outcome = 'denied'")
    expect(alerts.length).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(alerts.at(-1)?.detail ?? '{}')).toMatchObject({
      budget: 'opens',
      limit: OPENS_PER_HOUR,
    })
  })
})

describe('revealing a value', { timeout: 120_000 }, () => {
  async function stepUp(staff: EnrolledStaff, next: string) {
    await staff.visitor.get(`/staff/login/mfa?next=${encodeURIComponent(next)}`)
    const done = await staff.visitor.post(`/staff/login/mfa?next=${encodeURIComponent(next)}`, {
      csrf: staff.visitor.csrf ?? '',
      intent: 'verify',
      code: await staff.authenticator.nextCode(),
    })
    expect(done.status).toBe(303)
  }

  const memberSubjectOf = async (human: number) =>
    (await portalValue<number>(
      portal.databaseUrl,
      "select id from subjects where human_id = ? and cohort = 'member'",
      human,
    )) as number

  async function reveal(staff: EnrolledStaff, human: number, fields: Record<string, string>) {
    await staff.visitor.get(`/staff/cases/${human}`)
    return staff.visitor.post(`/staff/cases/${human}`, { csrf: staff.visitor.csrf ?? '', ...fields })
  }

  it('asks for a fresh second factor first, then a reason, then shows the value once and audits the field', async () => {
    const hanako = await humanOfMember('M00000001')
    const subject = await memberSubjectOf(hanako)
    await ageStaffSecondFactorsOn(portal.databaseUrl)
    const stale = await reveal(supervisor, hanako, { ref: `${subject}.email`, reason: 'caller_verified' })
    expect(stale.status).toBe(303)
    expect(stale.location).toBe(`/staff/login/mfa?next=${encodeURIComponent(`/staff/cases/${hanako}`)}`)
    await stepUp(supervisor, `/staff/cases/${hanako}`)

    const noReason = await reveal(supervisor, hanako, { ref: `${subject}.email` })
    expect(noReason.status).toBe(422)
    expect(noReason.body).toContain(staffEn.caseView.reveal.errors.reasonRequired)
    const otherWithout = await reveal(supervisor, hanako, {
      ref: `${subject}.email`,
      reason: 'other',
      reasonText: ' ',
    })
    expect(otherWithout.status).toBe(422)
    expect(otherWithout.body).toContain(staffEn.caseView.reveal.errors.reasonTextRequired)
    const other = await reveal(supervisor, hanako, {
      ref: `${subject}.birthDate`,
      reason: 'other',
      reasonText: 'Pension office form 3318 needs it',
    })
    expect(other.status).toBe(200)
    expect(other.body).toContain('Pension office form 3318 needs it')
    expect(await storedInClear('form 3318')).toBe(false)
    // The reason's words, not a number that a time or a hash may hold by chance (an entry's `at` once ended in 3318).
    expect(JSON.stringify(await auditRows("action = 'case.field_revealed'"))).not.toMatch(
      /Pension|office form/,
    )
    const foreign = await reveal(supervisor, hanako, { ref: '99999.email', reason: 'caller_verified' })
    expect(foreign.status).toBe(422)
    expect(noReason.body).not.toContain('hanako.mihon@example.jp')

    const shown = await reveal(supervisor, hanako, { ref: `${subject}.email`, reason: 'caller_verified' })
    expect(shown.status).toBe(200)
    expect(shown.body).toContain('hanako.mihon@example.jp')
    expect(shown.headers.get('cache-control')).toContain('no-store')
    // Once: the page loaded again is masked.
    expect((await supervisor.visitor.get(`/staff/cases/${hanako}`)).body).not.toContain(
      'hanako.mihon@example.jp',
    )
    const entry = (await auditRows("action = 'case.field_revealed'")).at(-1)
    expect(entry).toMatchObject({ target_id: String(hanako), outcome: 'success' })
    expect(JSON.parse(entry?.detail ?? '{}')).toEqual({
      cohort: 'member',
      field: 'email',
      reason: 'caller_verified',
      record: `subject-${subject}`,
    })
    // The value is in no audit row, and nowhere in the database or its WAL in the clear.
    expect(await storedInClear('hanako.mihon@example.jp')).toBe(false)
  })

  it('refuses an agent past the hourly reveal budget, and alerts', async () => {
    const jiro = await humanOfMember('M00000003')
    const subject = await memberSubjectOf(jiro)
    await stepUp(agent, `/staff/cases/${jiro}`)
    for (let i = 0; i < REVEALS_PER_HOUR; i++) {
      const shown = await reveal(agent, jiro, { ref: `${subject}.phone`, reason: 'caller_verified' })
      expect(shown.status, `reveal ${i + 1}`).toBe(200)
      expect(shown.body).toContain('080-0000-0003')
    }
    const over = await reveal(agent, jiro, { ref: `${subject}.phone`, reason: 'caller_verified' })
    expect(over.status).toBe(429)
    expect(over.body).not.toContain('080-0000-0003')
    expect(over.body).toContain(staffEn.caseView.reveal.refused.overBudget)
    const alert = (await auditRows("action = 'case.budget_exceeded'")).at(-1)
    expect(JSON.parse(alert?.detail ?? '{}')).toMatchObject({ budget: 'reveals', limit: REVEALS_PER_HOUR })
  })
})

describe('the staff activity page', { timeout: 60_000 }, () => {
  it('shows supervisors each member’s case work and the budget alerts; agents are refused', async () => {
    const page = await supervisor.visitor.get('/staff/activity')
    expect(page.status).toBe(200)
    expect(page.body).toContain(staffEn.activity.caption)
    expect(page.body).toContain('予算 テスト')
    expect(page.body).toMatch(/budget alerts? in the last 24 hours/)
    const budgetRow = page.body.slice(page.body.indexOf('予算 テスト'))
    const cells = [...budgetRow.matchAll(/<td>(\d+)<\/td>/g)].slice(0, 6).map((match) => Number(match[1]))
    // searches, opens, reveals, actions, refusals, budget alerts
    expect(cells).toEqual([0, OPENS_PER_HOUR + 1, 0, 0, 1, 1])
    expect((await agent.visitor.get('/staff/activity')).status).toBe(403)
    // The console's home tells supervisors, and only them, that a budget stopped someone.
    expect((await supervisor.visitor.get('/staff')).body).toMatch(/Hourly budgets? stopped/)
    expect((await agent.visitor.get('/staff')).body).not.toMatch(/Hourly budgets? stopped/)
  })
})

describe('actions on a case', { timeout: 60_000 }, () => {
  const auditCount = async (action: string, human: number) =>
    (await auditRows('action = ? and target_id = ?', action, String(human))).length

  async function act(human: number, fields: Record<string, string>) {
    await supervisor.visitor.get(`/staff/cases/${human}`)
    return supervisor.visitor.post(`/staff/cases/${human}`, {
      csrf: supervisor.visitor.csrf ?? '',
      ...fields,
    })
  }

  it('adds a note: sealed at rest, on the timeline, one audit entry without its words', async () => {
    const shiken = await humanOfMember('M00000002')
    const before = await auditCount('case.note_added', shiken)
    const note = 'Caller lost the postcard; advised to wait for the resend 7421'
    const empty = await act(shiken, { intent: 'add-note', note: '  \u0007 ' })
    expect(empty.status).toBe(422)
    expect(empty.body).toContain(staffEn.caseView.actions.errors.noteRequired)
    const added = await act(shiken, { intent: 'add-note', note })
    expect(added.status).toBe(303)
    expect(added.location).toBe(`/staff/cases/${shiken}?done=add-note`)
    const page = await supervisor.visitor.get(added.location ?? '')
    expect(page.body).toContain(staffEn.caseActions.done['add-note'])
    expect(
      page.body,
      page.body.slice(page.body.indexOf('case-timeline'), page.body.indexOf('case-timeline') + 600),
    ).toContain(note)
    expect(await auditCount('case.note_added', shiken)).toBe(before + 1)
    expect(JSON.stringify(await auditRows("action = 'case.note_added'"))).not.toContain('7421')
    expect(await storedInClear('resend 7421')).toBe(false)
  })

  it('ends the customer’s sessions and unlocks a locked letter code, each audited once, changing nothing else', async () => {
    const shiken = await humanOfMember('M00000002')
    const customer = new Visitor(portal.url)
    const checked = await customer.submit('/check/letter', {
      code: postcardLetterCode,
      proof: '昭和23年11月3日',
    })
    expect(checked.location).toBe('/exposure')
    expect((await customer.get('/exposure')).status).toBe(200)
    const sessionsBefore = await auditCount('case.sessions_ended', shiken)
    const ended = await act(shiken, { intent: 'end-sessions' })
    expect(ended.location).toBe(`/staff/cases/${shiken}?done=end-sessions`)
    expect((await customer.get('/exposure')).status).not.toBe(200)
    expect(await auditCount('case.sessions_ended', shiken)).toBe(sessionsBefore + 1)

    // Locked after wrong second details, as the letter check leaves it.
    await portalRun(
      portal.databaseUrl,
      'update notifications set letter_code_failures = 10, letter_code_locked_at = ? where human_id = ?',
      Date.now(),
      shiken,
    )
    const lockedTry = await new Visitor(portal.url).submit('/check/letter', {
      code: postcardLetterCode,
      proof: '1948-11-03',
    })
    expect(lockedTry.location).not.toBe('/exposure')
    const unlocked = await act(shiken, { intent: 'unlock-letter-code' })
    expect(unlocked.location).toBe(`/staff/cases/${shiken}?done=unlock-letter-code`)
    const again = await new Visitor(portal.url).submit('/check/letter', {
      code: postcardLetterCode,
      proof: '1948-11-03',
    })
    expect(again.location).toBe('/exposure')
    expect(await auditCount('case.letter_code_unlocked', shiken)).toBe(1)
    // The letter code itself is the same one: unlocking sends nothing and makes no new code.
    const notices = await portalValue(
      portal.databaseUrl,
      'select count(*) from messages where human_id = ?',
      shiken,
    )
    expect(notices).toBe(1)
  })
})

describe('sending the notice again', { timeout: 120_000 }, () => {
  type Notice = { message_id: number; letter_code_index: Buffer | null }
  const noticeOf = async (human: number) =>
    (
      await portalRows<Notice>(
        portal.databaseUrl,
        'select message_id, letter_code_index from notifications where human_id = ?',
        human,
      )
    )[0] as Notice
  const messagesOf = (human: number) =>
    portalRows<{ id: number; channel: string; purpose: string }>(
      portal.databaseUrl,
      'select id, channel, purpose from messages where human_id = ? order by id',
      human,
    )
  /** What the outbox holds for one message, opened as the sender opens it. */
  const emailOf = async (messageId: number) => {
    const sealed = (await portalValue<Buffer>(
      portal.databaseUrl,
      'select content_sealed from outbox_messages where message_id = ?',
      messageId,
    )) as Buffer
    return unsealJson<{ to: string; input: { letterCode: string; messageReference: string } }>({
      keyring: crypto.keyring,
      context: outboxContentContext({ id: 0, messageId }),
      sealed,
    })
  }
  // Whatever a caller might ask for: the form has no such fields, and the server reads none.
  const NEW_CONTACT = {
    email: 'new.address@attacker.example',
    address: '東京都千代田区霞が関9-9-9',
    postalCode: '1000013',
    phone: '09099998888',
  }

  async function resend(staff: EnrolledStaff, human: number) {
    await staff.visitor.get(`/staff/cases/${human}`)
    return staff.visitor.post(`/staff/cases/${human}`, {
      csrf: staff.visitor.csrf ?? '',
      intent: 'resend-notice',
      ...NEW_CONTACT,
    })
  }

  it('e-mails a new letter code to the address on file only, kills the old one, and audits the channel', async () => {
    const hanako = await humanOfMember('M00000001')
    const before = await noticeOf(hanako)
    const first = await emailOf(before.message_id)
    expect(first.to).toBe('hanako.mihon@example.jp')
    const page = await agent.visitor.get(`/staff/cases/${hanako}`)
    expect(page.body).toContain(staffEn.caseView.actions.resendExplained.email)

    const sent = await resend(agent, hanako)
    expect(sent.status).toBe(303)
    expect(sent.location).toBe(`/staff/cases/${hanako}?done=resend-notice`)
    const after = await noticeOf(hanako)
    expect(after.message_id).not.toBe(before.message_id)
    expect((await messagesOf(hanako)).at(-1)).toMatchObject({ channel: 'email', purpose: 'notice_resend' })
    const again = await emailOf(after.message_id)
    expect(again.to).toBe(first.to)
    expect(again.input.letterCode).not.toBe(first.input.letterCode)
    expect(again.input.messageReference).not.toBe(first.input.messageReference)
    expect(
      Buffer.compare(
        after.letter_code_index as Buffer,
        crypto.index('letter-code', again.input.letterCode.replaceAll('-', '')),
      ),
    ).toBe(0)
    const priorityOf = (messageId: number) =>
      portalValue<number>(
        portal.databaseUrl,
        'select priority from outbox_messages where message_id = ?',
        messageId,
      )
    const urgent = await priorityOf(after.message_id)
    const bulk = await priorityOf(before.message_id)
    expect(urgent).toBeLessThan(bulk as number)

    // The old code now answers as an unknown one; the new one opens the page.
    const oldTry = await new Visitor(portal.url).submit('/check/letter', {
      code: first.input.letterCode,
      proof: '1985-04-01',
    })
    expect(oldTry.location).not.toBe('/exposure')
    const newTry = await new Visitor(portal.url).submit('/check/letter', {
      code: again.input.letterCode,
      proof: '1985-04-01',
    })
    expect(newTry.location).toBe('/exposure')

    // Nothing the post carried went anywhere or was kept.
    for (const value of Object.values(NEW_CONTACT)) expect(await storedInClear(value), value).toBe(false)
    const sealedSomewhere = await portalRows<{ message_id: number }>(
      portal.databaseUrl,
      'select message_id from outbox_messages where message_id is not null',
    )
    for (const { message_id } of sealedSomewhere)
      expect((await emailOf(message_id)).to).not.toBe(NEW_CONTACT.email)
    const audit = await auditRows("action = 'case.notice_resent' and target_id = ?", String(hanako))
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor_id: expect.stringMatching(/^S/), outcome: 'success' })
    expect(JSON.parse(audit[0]?.detail ?? '')).toEqual({ channel: 'email' })
  })

  it('stops at three a day for one case, with a 429 that says when, and audits the refusal', async () => {
    const hanako = await humanOfMember('M00000001')
    // The test above sent one; two more are allowed, the fourth is not.
    for (let n = 0; n < 2; n++) expect((await resend(supervisor, hanako)).status).toBe(303)
    const count = (await messagesOf(hanako)).length
    const refused = await resend(supervisor, hanako)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.body).toContain('role="alert"')
    expect(await messagesOf(hanako)).toHaveLength(count)
    const refusals = await auditRows(
      "action = 'case.notice_resent' and outcome = 'failure' and target_id = ?",
      String(hanako),
    )
    expect(refusals.map((row) => JSON.parse(row.detail))).toEqual([{ reason: 'rate_limited' }])
  })

  it('puts a postcard with a new code in the next printer file, to the postal address on file', async () => {
    const shiken = await humanOfMember('M00000002')
    const before = await noticeOf(shiken)
    const sent = await resend(supervisor, shiken)
    expect(sent.location).toBe(`/staff/cases/${shiken}?done=resend-notice`)
    expect((await noticeOf(shiken)).message_id).not.toBe(before.message_id)
    expect((await messagesOf(shiken)).at(-1)).toMatchObject({ channel: 'postcard', purpose: 'notice_resend' })
    const oldTry = await new Visitor(portal.url).submit('/check/letter', {
      code: postcardLetterCode,
      proof: '1948-11-03',
    })
    expect(oldTry.location).not.toBe('/exposure')
    expect(await storedInClear(NEW_CONTACT.address)).toBe(false)

    // The next notice run writes it into its file, with no one else new to notify.
    const folder = portal.dataDirectory
    const postcards = join(folder, 'resent-postcards.csv')
    const notified = await runPortalCommand('app/cli/notify.ts', {
      cwd: folder,
      env: commandEnv(portal.databaseUrl, secrets),
      args: ['--json', '--postcards', postcards, '--handouts', join(folder, 'resent-handouts.csv')],
    })
    expect(notified.status, notified.stderr).toBe(0)
    expect(JSON.parse(notified.stdout)).toMatchObject({ humans: 0, reprints: 1 })
    const [row, ...more] = printerRows(postcards)
    expect(more).toEqual([])
    expect(row?.letter_code).not.toBe(postcardLetterCode)
    expect(row?.recipient).toContain('試験')
    expect(row?.address_line1).not.toContain('霞が関9')
    const newTry = await new Visitor(portal.url).submit('/check/letter', {
      code: row?.letter_code ?? '',
      proof: '1948-11-03',
    })
    expect(newTry.location).toBe('/exposure')
    // Written once: its sealed copy is gone, and the run after writes nothing.
    const waiting = await portalValue(
      portal.databaseUrl,
      'select count(*) from printer_reprints where row_sealed is not null',
    )
    expect(waiting).toBe(0)
    const audit = await auditRows(
      "action = 'case.notice_resent' and target_id = ? and outcome = 'success'",
      String(shiken),
    )
    expect(audit.map((entry) => JSON.parse(entry.detail))).toEqual([{ channel: 'postcard' }])
  })
})
