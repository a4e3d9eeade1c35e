import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { newLetterCode } from '~/codes/letter-code.server'
import { DEMO_STAFF, ensureDemoStaff } from '~/staff/demo-staff.server'
import { prepared } from '~db/database'
import { createPortalCrypto } from '~db/portal-crypto'
import { caseDatabase } from '../support/case-database'
import { importExport, printerRows, Visitor, withoutTokens } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalRows, portalValue, withPortalDatabase } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { ageStaffSecondFactorsOn, type EnrolledStaff, enrolStaff } from '../support/staff-authenticator'

/**
 * "Identity confirmed by call-back to the phone number on file" on the case
 * page, against the built server: a supervisor records it after a fresh
 * second factor (the reason a token in the audit log, its words sealed),
 * and the customer's next letter-code check passes with the second factor
 * left empty, once. An agent's forged post is refused and logged; a stale
 * second factor stores nothing; and with the second factor empty, an unknown
 * code, a locked one and one without a confirmation answer alike.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const [SUPERVISOR, AGENT] = DEMO_STAFF as [(typeof DEMO_STAFF)[number], (typeof DEMO_STAFF)[number]]
const NEW_PASSWORD = 'copper kettles hum beside winter orchards'
const locale = (language: 'ja' | 'en', namespace: string) =>
  JSON.parse(readFileSync(new URL(`../../locales/${language}/${namespace}.json`, import.meta.url), 'utf8'))
const staffEn = locale('en', 'staff')
const checkJa = locale('ja', 'check')
const EN = { 'Accept-Language': 'en' }
const REASON_WORDS = 'Daughter answered first, then the caller on extension 4417'

/** Whose postcard is whose: the one confirmed, one never confirmed, one locked. */
const PEOPLE = { confirmed: '一条', unconfirmed: '二宮', locked: '三浦' } as const

let portal: PortalServer
const { humanOfMember, auditRows, storedInClear } = caseDatabase(() => portal, crypto)
let supervisor: EnrolledStaff
let agent: EnrolledStaff
const codes = {} as Record<keyof typeof PEOPLE, string>

beforeAll(async () => {
  portal = await startPortal({ env: secrets })
  // Into the database the portal serves from, and read back from it below, on either backend.
  const { postcards } = await importExport(
    portal,
    secrets,
    {
      'members.csv': [
        MEMBER_COLUMNS,
        member({ member_id: 'M1', family_name: PEOPLE.confirmed }),
        member({ member_id: 'M2', family_name: PEOPLE.unconfirmed }),
        member({ member_id: 'M3', family_name: PEOPLE.locked }),
      ],
    },
    { notify: true },
  )
  const rows = printerRows(postcards)
  for (const key of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) {
    codes[key] = rows.find((row) => row.recipient?.startsWith(PEOPLE[key]))?.letter_code ?? ''
    expect(codes[key], key).not.toBe('')
  }
  const locked = await humanOfMember('M3')
  await withPortalDatabase(portal.databaseUrl, async (db) => {
    await ensureDemoStaff({ db, crypto })
    // Locked after wrong second details, as the letter check leaves it.
    await prepared(
      db,
      'update notifications set letter_code_failures = 10, letter_code_locked_at = ? where human_id = ?',
    ).run(Date.now(), locked)
  })
  const enrol = (email: string, enrolmentPassword: string) =>
    enrolStaff(new Visitor(portal.url, EN), { email, enrolmentPassword, newPassword: NEW_PASSWORD })
  supervisor = await enrol(SUPERVISOR.email, SUPERVISOR.enrolmentPassword)
  agent = await enrol(AGENT.email, AGENT.enrolmentPassword)
}, 240_000)

afterAll(async () => {
  expect(portal?.output()).not.toContain('missing translation')
  expect(portal?.output()).not.toMatch(/\bError\b/)
  await portal?.stop()
  await stopPasswordWork()
})

const confirmations = () =>
  portalRows<{ human_id: number; reason: string; used_at: number | null }>(
    portal.databaseUrl,
    'select human_id, reason, used_at from identity_confirmations',
  )

async function confirmIdentity(staff: EnrolledStaff, human: number, fields: Record<string, string>) {
  await staff.visitor.get(`/staff/cases/${human}`)
  return staff.visitor.post(`/staff/cases/${human}`, {
    csrf: staff.visitor.csrf ?? '',
    intent: 'confirm-identity',
    ...fields,
  })
}

async function stepUp(staff: EnrolledStaff, next: string) {
  await staff.visitor.get(`/staff/login/mfa?next=${encodeURIComponent(next)}`)
  const done = await staff.visitor.post(`/staff/login/mfa?next=${encodeURIComponent(next)}`, {
    csrf: staff.visitor.csrf ?? '',
    intent: 'verify',
    code: await staff.authenticator.nextCode(),
  })
  expect(done.status).toBe(303)
}

/** The letter check with the second factor left empty, from a fresh browser. */
async function checkWithoutProof(code: string) {
  const customer = new Visitor(portal.url)
  const page = await customer.submit('/check/letter', { code, proof: '' })
  return { customer, page, shown: withoutTokens(page.body, { csrf: customer.csrf, code }) }
}

describe('identity confirmed by call-back', { timeout: 120_000 }, () => {
  it('is no form for an agent, and an agent’s forged post is refused and logged as denied', async () => {
    const human = await humanOfMember('M1')
    const page = await agent.visitor.get(`/staff/cases/${human}`)
    expect(page.status).toBe(200)
    expect(page.body).not.toContain(staffEn.caseView.callBack.heading)
    expect(page.body).not.toContain('value="confirm-identity"')
    const forged = await confirmIdentity(agent, human, { reason: 'letter-lost' })
    expect(forged.status).toBe(403)
    expect(forged.body).toContain(staffEn.caseView.callBack.denied)
    const entry = (await auditRows("action = 'case.identity_confirmed' and target_id = ?", String(human))).at(
      -1,
    )
    expect(entry).toMatchObject({ outcome: 'denied' })
    expect(JSON.parse(entry?.detail ?? '{}')).toEqual({ reason: 'not_supervisor' })
    expect(await confirmations()).toEqual([])
  })

  it('asks a supervisor for a fresh second factor first, storing nothing', async () => {
    const human = await humanOfMember('M1')
    const page = await supervisor.visitor.get(`/staff/cases/${human}`)
    expect(page.body).toContain(staffEn.caseView.callBack.heading)
    expect(page.body).toContain(staffEn.caseView.status.callBackNone)
    await ageStaffSecondFactorsOn(portal.databaseUrl)
    const stale = await confirmIdentity(supervisor, human, { reason: 'letter-lost' })
    expect(stale.status).toBe(303)
    expect(stale.location).toBe(`/staff/login/mfa?next=${encodeURIComponent(`/staff/cases/${human}`)}`)
    expect(await confirmations()).toEqual([])
    expect(await auditRows("action = 'case.identity_confirmed' and outcome = 'success'")).toEqual([])
  })

  it('records it with a reason, its words sealed and the audit holding the reason alone', async () => {
    const human = await humanOfMember('M1')
    await stepUp(supervisor, `/staff/cases/${human}`)
    const noReason = await confirmIdentity(supervisor, human, {})
    expect(noReason.status).toBe(422)
    expect(noReason.body).toContain(staffEn.caseView.callBack.errors.reasonRequired)
    const otherWithout = await confirmIdentity(supervisor, human, { reason: 'other', reasonText: ' \u0007 ' })
    expect(otherWithout.status).toBe(422)
    expect(otherWithout.body).toContain(staffEn.caseView.callBack.errors.reasonTextRequired)
    // The reason chosen stays chosen.
    expect(otherWithout.body).toMatch(/<input type="radio" name="reason"[^>]* checked=""[^>]* value="other"/)
    const tooLong = await confirmIdentity(supervisor, human, { reason: 'other', reasonText: 'x'.repeat(501) })
    expect(tooLong.status).toBe(422)
    expect(await confirmations()).toEqual([])

    const done = await confirmIdentity(supervisor, human, { reason: 'other', reasonText: REASON_WORDS })
    expect(done.status).toBe(303)
    expect(done.location).toBe(`/staff/cases/${human}?done=confirm-identity`)
    const page = await supervisor.visitor.get(done.location ?? '')
    expect(page.body).toContain(staffEn.caseActions.done['confirm-identity'])
    expect(page.body).toContain('Waiting until')
    expect(page.body).toContain('Identity confirmed by call-back (other)')
    expect(await confirmations()).toEqual([{ human_id: human, reason: 'other', used_at: null }])
    const entries = await auditRows("action = 'case.identity_confirmed' and outcome = 'success'")
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ target_id: String(human) })
    expect(JSON.parse(entries[0]?.detail ?? '{}')).toEqual({ reason: 'other' })
    expect(JSON.stringify(await auditRows('1 = 1'))).not.toContain('4417')
    expect(await storedInClear('extension 4417')).toBe(false)
  })

  it('lets the customer’s next letter check through with the second factor empty, once', async () => {
    const human = await humanOfMember('M1')
    const first = await checkWithoutProof(codes.confirmed)
    expect(first.page.status).toBe(303)
    expect(first.page.location).toBe('/exposure')
    expect((await first.customer.get('/exposure')).status).toBe(200)
    expect((await confirmations())[0]?.used_at).toEqual(expect.any(Number))
    const uses = await portalValue(
      portal.databaseUrl,
      'select count(*) from letter_code_uses join notifications on notifications.id = notification_id where human_id = ?',
      human,
    )
    expect(uses).toBe(1)

    const second = await checkWithoutProof(codes.confirmed)
    expect(second.page.status).toBe(422)
    expect(second.page.body).toContain(checkJa.letter.errors.proofRequired)
    const page = await supervisor.visitor.get(`/staff/cases/${human}`)
    expect(page.body).toContain(staffEn.caseView.status.callBackNone)
  })

  it('answers an unknown code, one without a confirmation and a locked one alike, counting nothing', async () => {
    const unknown = await checkWithoutProof(newLetterCode().printed)
    const unconfirmed = await checkWithoutProof(codes.unconfirmed)
    const locked = await checkWithoutProof(codes.locked)
    const spent = await checkWithoutProof(codes.confirmed)
    for (const answer of [unknown, unconfirmed, locked, spent]) {
      expect(answer.page.status).toBe(422)
      expect(answer.page.body).toContain(checkJa.letter.errors.proofRequired)
      expect(answer.shown).toBe(unknown.shown)
    }
    const failures = await portalValue(
      portal.databaseUrl,
      'select letter_code_failures from notifications where human_id = ?',
      await humanOfMember('M2'),
    )
    expect(failures).toBe(0)
  })
})
