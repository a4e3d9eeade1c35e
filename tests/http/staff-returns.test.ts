import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maskEmail } from '~/exposure/mask'
import { newReturnReference } from '~/returns/return-reference.server'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { prepared } from '~db/database'
import { createPortalCrypto } from '~db/portal-crypto'
import { setReturnStatus } from '~db/return-requests'
import { findHumanIdByEmail } from '~db/subjects'
import { caseDatabase } from '../support/case-database'
import { importExport, mailTo, plainText, queuedEmails } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalRows, withPortalDatabase } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { fileTestReturnIn, type SeededReturn } from '../support/return-requests'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'
import type { EnrolledStaff } from '../support/staff-authenticator'
import { closeStaffPortal, DEMO_AGENT, DEMO_SUPERVISOR, enrolDemoStaff } from '../support/staff-portal'

/**
 * The staff half of return requests against the built server: the queue
 * (oldest first, filtered by status, reason and age), a request's page with
 * the contact address masked, its photos served to staff alone, a status
 * change whose note goes to the customer by e-mail, an internal note that
 * goes nowhere, the audit entries of each (nothing the customer wrote in
 * them), bad input answered with a message, and the link from the case.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const staffEn = JSON.parse(readFileSync(new URL('../../locales/en/staff.json', import.meta.url), 'utf8'))
const EN = { 'Accept-Language': 'en' }
const DAY_MS = 24 * 60 * 60 * 1000

const emailJa = JSON.parse(readFileSync(new URL('../../locales/ja/email.json', import.meta.url), 'utf8'))
const LINKED_EMAIL = 'kaede.returns@example.jp'
const OTHER_EMAIL = 'marco.parcel@example.net'
const NOTE_TO_CUSTOMER = 'Please send a photo of the label on the outer box so we can trace the parcel'
const INTERNAL_NOTE = 'Courier claim form 4471 started for this parcel'
const SECOND_NOTE = 'The refund for the gift wrapping went to your card today'
const NUMBERS = ['SK20260114-88231', 'OD-55120987', 'SK20260201-10020', 'OD-77001234'] as const

let sink: SmtpSink
let portal: PortalServer
let agent: EnrolledStaff
let supervisor: EnrolledStaff
let humanId = 0
const { auditRows, storedInClear } = caseDatabase(() => portal, crypto)
/** The requests filed below: ten days old (linked to a case), three days, an hour, five days (resolved). */
const seeded = {} as Record<'old' | 'mid' | 'recent' | 'resolved', SeededReturn>

beforeAll(async () => {
  sink = await startSmtpSink()
  portal = await startPortal({ env: { ...secrets, SMTP_URL: sink.url, SMTP_RATE: '1000' } })
  // Into the database the portal serves from, and read back from it below, on either backend.
  await importExport(portal, secrets, {
    'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M1', email: LINKED_EMAIL })],
  })
  await withPortalDatabase(portal.databaseUrl, async (db) => {
    await ensureDemoStaff({ db, crypto })
    humanId = (await findHumanIdByEmail(db, crypto.lookup('email', LINKED_EMAIL))) as number
    expect(humanId).toBeGreaterThan(0)
    seeded.old = await fileTestReturnIn(db, crypto, {
      ageMs: 10 * DAY_MS,
      reason: 'damaged',
      email: LINKED_EMAIL,
      details: {
        numberKind: 'shipping',
        number: NUMBERS[0],
        description: '外箱が潰れて、中のカップが割れていました。',
        language: 'en',
      },
      photos: 2,
      linkTo: humanId,
    })
    seeded.mid = await fileTestReturnIn(db, crypto, {
      ageMs: 3 * DAY_MS,
      reason: 'wrong_item',
      email: OTHER_EMAIL,
      details: {
        numberKind: 'order',
        number: NUMBERS[1],
        description: 'Blue instead of red.',
        language: 'en',
      },
      photos: 1,
    })
    seeded.recent = await fileTestReturnIn(db, crypto, {
      ageMs: 60 * 60 * 1000,
      reason: 'missing_items',
      email: OTHER_EMAIL,
      details: {
        numberKind: 'shipping',
        number: NUMBERS[2],
        description: 'One of two parts.',
        language: 'ja',
      },
      photos: 0,
    })
    seeded.resolved = await fileTestReturnIn(db, crypto, {
      ageMs: 5 * DAY_MS,
      reason: 'other',
      email: OTHER_EMAIL,
      details: {
        numberKind: 'order',
        number: NUMBERS[3],
        otherReason: 'Gift wrapping missing',
        description: 'No wrapping.',
        language: 'ja',
      },
      photos: 0,
    })
    const resolvedId = (await prepared(db, 'select id from return_requests where reference = ?').value(
      seeded.resolved.reference,
    )) as number
    await setReturnStatus(db, {
      requestId: resolvedId,
      status: 'resolved',
      now: Date.now(),
    })
  })
  ;[supervisor, agent] = await enrolDemoStaff(portal, [DEMO_SUPERVISOR, DEMO_AGENT])
}, 240_000)

afterAll(async () => {
  // Every page above rendered with real translations and without a server error.
  expect(portal?.output()).not.toContain('missing translation')
  expect(portal?.output()).not.toMatch(/\bError\b/)
  await closeStaffPortal(undefined, portal?.stop(), sink?.close())
})

/** The references a queue page lists, in its order. */
const listed = (html: string) =>
  [...html.matchAll(/href="\/staff\/returns\/(RT-[0-9A-Z-]+)"/g)].map((match) => match[1])

const queue = (query = '') => agent.visitor.get(`/staff/returns${query}`, EN)

/** A raw GET with the agent's cookies (or none), for bytes the page visitor would read as text. */
function fetchAs(path: string, cookies: string | undefined) {
  return fetch(`${portal.url}${path}`, { headers: cookies ? { Cookie: cookies } : {}, redirect: 'manual' })
}

async function postOnRequest(reference: string, fields: Record<string, string>) {
  await agent.visitor.get(`/staff/returns/${reference}`, EN)
  return agent.visitor.post(`/staff/returns/${reference}`, { csrf: agent.visitor.csrf ?? '', ...fields }, EN)
}

// In the order they came (a status change and its note share their moment).
const eventsOf = (reference: string) =>
  portalRows<{ kind: string; status: string | null }>(
    portal.databaseUrl,
    `select e.kind, e.status from return_events e join return_requests r on r.id = e.request_id
     where r.reference = ? order by e.created_at, e.arrival`,
    reference,
  )

describe('the queue', () => {
  it('lists the open requests oldest first, with counts per status', async () => {
    const page = await queue()
    expect(page.status).toBe(200)
    expect(listed(page.body)).toEqual([seeded.old.reference, seeded.mid.reference, seeded.recent.reference])
    expect(page.body).toContain(staffEn.returns.reasons.damaged)
    // Counts: three new, one resolved, each a link to the queue filtered to it.
    // React marks where its text parts meet; a browser shows them run together.
    const shown = page.body.replaceAll('<!-- -->', '')
    expect(shown).toMatch(/href="\/staff\/returns\?status=new">New:<strong>3<\/strong>/)
    expect(shown).toMatch(/href="\/staff\/returns\?status=resolved">Resolved:<strong>1<\/strong>/)
    expect(page.body).toContain('3 requests match.')
    expect(page.headers.get('cache-control')).toContain('no-store')
  })

  it('filters by status, reason and age', async () => {
    expect(listed((await queue('?status=resolved')).body)).toEqual([seeded.resolved.reference])
    expect(listed((await queue('?status=all')).body)).toEqual([
      seeded.old.reference,
      seeded.resolved.reference,
      seeded.mid.reference,
      seeded.recent.reference,
    ])
    expect(listed((await queue('?reason=wrong_item')).body)).toEqual([seeded.mid.reference])
    expect(listed((await queue('?age=over2days')).body)).toEqual([seeded.old.reference, seeded.mid.reference])
    expect(listed((await queue('?status=all&age=over7days')).body)).toEqual([seeded.old.reference])
  })

  it('says so when nothing matches, and what to do', async () => {
    const page = await queue('?status=rejected')
    expect(page.status).toBe(200)
    expect(listed(page.body)).toEqual([])
    expect(page.body).toContain(staffEn.returnQueue.empty)
  })

  it('answers a filter it cannot read with a message, not an error', async () => {
    for (const [query, message] of [
      ['?status=shipped', 'status'],
      [`?reason=${'x'.repeat(500)}`, 'reason'],
      ['?status=open&age=2d', 'age'],
    ] as const) {
      const page = await queue(query)
      expect(page.status, query).toBe(400)
      expect(page.body).toContain(staffEn.returnQueue.errors.summary)
      expect(page.body).toContain(staffEn.returnQueue.errors[message])
      expect(listed(page.body)).toEqual([])
    }
  })

  it('is for signed-in staff only', async () => {
    const response = await fetchAs('/staff/returns', undefined)
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/staff/login')
  })
})

describe("a request's page", () => {
  it('shows what was filed, the contact address masked, the photos and the case link', async () => {
    const page = await agent.visitor.get(`/staff/returns/${seeded.old.reference}`, EN)
    expect(page.status).toBe(200)
    expect(page.body).toContain(maskEmail(LINKED_EMAIL))
    expect(page.body).not.toContain(LINKED_EMAIL)
    expect(page.body).toContain(staffEn.returnView.facts.number.shipping)
    expect(page.body).toContain(NUMBERS[0])
    expect(page.body).toContain('外箱が潰れて')
    expect(page.body).toContain(`href="/staff/cases/${humanId}"`)
    const [first, second] = seeded.old.photoIds
    expect(page.body).toContain(
      `<img src="/staff/returns/${seeded.old.reference}/photos/${first}" width="64" height="48" alt="Photo 1 of 2"`,
    )
    expect(page.body).toContain(`/photos/${second}" width="72" height="48" alt="Photo 2 of 2"`)
    expect(page.body).toContain(staffEn.returnView.events.filed)
  })

  it('labels an order number, and the reason in the customer words', async () => {
    const page = await agent.visitor.get(`/staff/returns/${seeded.resolved.reference}`, EN)
    expect(page.body).toContain(staffEn.returnView.facts.number.order)
    expect(page.body).toContain('Gift wrapping missing')
    expect(page.body).toContain(staffEn.returnView.facts.noCase)
  })

  it('answers an unknown or malformed reference with a 404 page leading back to the queue', async () => {
    for (const reference of [
      newReturnReference(),
      'RT-bad',
      seeded.old.reference.toLowerCase(),
      'x'.repeat(300),
    ]) {
      const page = await agent.visitor.get(`/staff/returns/${encodeURIComponent(reference)}`, EN)
      expect(page.status, reference).toBe(404)
      expect(page.body).toContain(staffEn.returnView.notFound.title)
      expect(page.body).toContain('href="/staff/returns"')
    }
  })
})

describe('photos', () => {
  const photoPath = (reference: string, photoId: string) => `/staff/returns/${reference}/photos/${photoId}`

  it('are served to staff as private JPEG bytes', async () => {
    const response = await fetchAs(
      photoPath(seeded.old.reference, seeded.old.photoIds[0] as string),
      agent.visitor.cookieHeader(),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/jpeg')
    expect(response.headers.get('cache-control')).toBe('no-store, private')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('content-disposition')).toBe('inline')
    const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata()
    expect(metadata).toMatchObject({ format: 'jpeg', width: 64, height: 48 })
  })

  it('are never served without a staff session', async () => {
    const response = await fetchAs(
      photoPath(seeded.old.reference, seeded.old.photoIds[0] as string),
      undefined,
    )
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('/staff/login')
    expect(response.headers.get('content-type') ?? '').not.toContain('image')
  })

  it('answer 404 for a guessed ID, a malformed one, and a real one under another request', async () => {
    const cookies = agent.visitor.cookieHeader()
    const guessed = `P${randomBytes(16).toString('hex')}`
    for (const path of [
      photoPath(seeded.old.reference, guessed),
      photoPath(seeded.old.reference, 'P123'),
      photoPath(seeded.old.reference, (seeded.old.photoIds[0] as string).toUpperCase()),
      photoPath(seeded.mid.reference, seeded.old.photoIds[0] as string),
      photoPath(newReturnReference(), seeded.old.photoIds[0] as string),
    ]) {
      const response = await fetchAs(path, cookies)
      expect(response.status, path).toBe(404)
      expect(response.headers.get('content-type')).not.toContain('image')
      await response.arrayBuffer()
    }
  })
})

describe('working on a request', () => {
  it('changes the status and e-mails the note to the customer, in the same step', async () => {
    const before = sink.received.length
    const done = await postOnRequest(seeded.old.reference, {
      intent: 'status',
      status: 'waiting_for_customer',
      note: NOTE_TO_CUSTOMER,
    })
    expect(done.status).toBe(303)
    expect(done.location).toBe(`/staff/returns/${seeded.old.reference}?done=statusChanged`)
    const mail = await mailTo(sink, LINKED_EMAIL, { from: before })
    const text = plainText(mail.raw)
    expect(text).toContain(seeded.old.reference)
    expect(text).toContain(NOTE_TO_CUSTOMER)
    expect(await eventsOf(seeded.old.reference)).toEqual([
      { kind: 'filed', status: 'new' },
      { kind: 'status_changed', status: 'waiting_for_customer' },
      { kind: 'customer_note', status: 'waiting_for_customer' },
    ])
    const page = await agent.visitor.get(done.location as string, EN)
    expect(page.body).toContain(staffEn.returnView.done.statusChanged)
    expect(page.body).toContain(NOTE_TO_CUSTOMER)
    // Sealed at rest: the note is nowhere in the database file as written.
    expect(await storedInClear(NOTE_TO_CUSTOMER)).toBe(false)
  })

  it('adds an internal note that is never mailed', async () => {
    const outbox = await queuedEmails(portal.databaseUrl)
    const done = await postOnRequest(seeded.mid.reference, { intent: 'note', note: INTERNAL_NOTE })
    expect(done.status).toBe(303)
    expect(done.location).toBe(`/staff/returns/${seeded.mid.reference}?done=noteAdded`)
    expect(await queuedEmails(portal.databaseUrl)).toEqual(outbox)
    expect(sink.received.some((mail) => mail.to.includes(OTHER_EMAIL))).toBe(false)
    expect((await eventsOf(seeded.mid.reference)).map((event) => event.kind)).toEqual([
      'filed',
      'internal_note',
    ])
    const page = await agent.visitor.get(done.location as string, EN)
    expect(page.body).toContain(INTERNAL_NOTE)
  })

  it('e-mails a note without a change when the status stays', async () => {
    const before = sink.received.length
    const done = await postOnRequest(seeded.resolved.reference, {
      intent: 'status',
      status: 'resolved',
      note: SECOND_NOTE,
    })
    expect(done.status).toBe(303)
    expect(done.location).toBe(`/staff/returns/${seeded.resolved.reference}?done=customerNoteSent`)
    const mail = await mailTo(sink, OTHER_EMAIL, { from: before })
    expect(plainText(mail.raw)).toContain(SECOND_NOTE)
    expect(await eventsOf(seeded.resolved.reference)).toEqual([
      { kind: 'filed', status: 'new' },
      { kind: 'customer_note', status: 'resolved' },
    ])
  })

  it('does nothing, and says so, for the same status without a note', async () => {
    const page = await postOnRequest(seeded.recent.reference, { intent: 'status', status: 'new', note: '' })
    expect(page.status).toBe(200)
    expect(page.body).toContain(staffEn.returnView.unchanged)
    expect(await eventsOf(seeded.recent.reference)).toHaveLength(1)
  })

  it('tells the customer of a new status even without a note', async () => {
    const before = sink.received.length
    const done = await postOnRequest(seeded.mid.reference, {
      intent: 'status',
      status: 'in_progress',
      note: '',
    })
    expect(done.status).toBe(303)
    const reference = seeded.mid.reference
    const mail = plainText(
      (await mailTo(sink, OTHER_EMAIL, { from: before, accept: (m) => plainText(m.raw).includes(reference) }))
        .raw,
    )
    expect(mail).toContain(seeded.mid.reference)
    expect(mail).toContain(emailJa.returns.statuses.in_progress)
    expect(mail).not.toContain(emailJa.returns.update.noteHeading)
    expect((await eventsOf(seeded.mid.reference)).map((event) => event.kind)).toEqual([
      'filed',
      'internal_note',
      'status_changed',
    ])
  })

  it('answers bad input with a message and changes nothing', async () => {
    const cases = [
      { fields: { intent: 'status', status: 'shipped', note: '' }, status: 400, message: 'status' },
      {
        fields: { intent: 'status', status: 'resolved', note: 'x'.repeat(3000) },
        status: 422,
        message: 'noteTooLong',
      },
      { fields: { intent: 'note', note: 'y'.repeat(3000) }, status: 422, message: 'noteTooLong' },
      { fields: { intent: 'note', note: '   ' }, status: 422, message: 'noteRequired' },
      { fields: { intent: 'archive' }, status: 400, message: 'summary' },
    ] as const
    for (const { fields, status, message } of cases) {
      const page = await postOnRequest(seeded.recent.reference, fields)
      expect(page.status, JSON.stringify(fields).slice(0, 80)).toBe(status)
      expect(page.body).toContain(staffEn.returnView.errors[message])
    }
    expect(await eventsOf(seeded.recent.reference)).toHaveLength(1)
  })

  it('refuses a post without the form token', async () => {
    const page = await agent.visitor.post(
      `/staff/returns/${seeded.recent.reference}`,
      { intent: 'status', status: 'resolved' },
      EN,
    )
    expect(page.status).toBeGreaterThanOrEqual(400)
    expect(page.status).toBeLessThan(500)
    expect(await eventsOf(seeded.recent.reference)).toHaveLength(1)
  })
})

describe('the audit log', () => {
  it('holds each look and each change, and nothing the customer or staff wrote', async () => {
    const rows = await auditRows("action like 'return.%'")
    const actions = new Set(rows.map((row) => row.action))
    for (const action of [
      'return.queue_viewed',
      'return.opened',
      'return.photo_viewed',
      'return.status_changed',
      'return.note_added',
    ]) {
      expect(actions, action).toContain(action)
    }
    const changed = rows.find((row) => row.action === 'return.status_changed')
    expect(changed?.target_id).toBe(seeded.old.reference)
    expect(JSON.parse(changed?.detail ?? '{}')).toEqual({
      from: 'new',
      to: 'waiting_for_customer',
      notified: true,
    })
    const noted = rows.filter((row) => row.action === 'return.note_added')
    expect(noted.map((row) => [row.target_id, JSON.parse(row.detail)])).toEqual([
      [seeded.mid.reference, { kind: 'internal' }],
      [seeded.resolved.reference, { kind: 'customer', notified: true }],
    ])
    const photo = rows.find((row) => row.action === 'return.photo_viewed' && row.outcome === 'success')
    expect(JSON.parse(photo?.detail ?? '{}')).toEqual({ photo: seeded.old.photoIds[0] })
    const viewed = rows.find((row) => row.action === 'return.queue_viewed')
    expect(Object.keys(JSON.parse(viewed?.detail ?? '{}')).sort()).toEqual([
      'age',
      'listed',
      'reason',
      'status',
    ])
    const everything = JSON.stringify(await auditRows('1 = 1'))
    for (const secret of [
      LINKED_EMAIL,
      OTHER_EMAIL,
      NOTE_TO_CUSTOMER,
      INTERNAL_NOTE,
      SECOND_NOTE,
      ...NUMBERS,
    ]) {
      expect(everything).not.toContain(secret)
    }
  })

  it("reads back on a supervisor's audit page, filtered by the request", async () => {
    const target = encodeURIComponent(`return:${seeded.old.reference}`)
    const page = await supervisor.visitor.get(`/staff/audit?target=${target}`, EN)
    expect(page.status).toBe(200)
    expect(page.body).toContain(staffEn.audit.actions.return.status_changed)
    expect(page.body).toContain(staffEn.audit.actions.return.opened)
    expect(page.body).toContain(`return:${seeded.old.reference}`)
    expect(page.body).not.toContain(`return:${seeded.mid.reference}`)
  })
})

describe("the customer's case", () => {
  it('shows the request in its timeline, linked to the request', async () => {
    const page = await agent.visitor.get(`/staff/cases/${humanId}`, EN)
    expect(page.status).toBe(200)
    expect(page.body).toContain(`href="/staff/returns/${seeded.old.reference}"`)
    expect(page.body).toContain(`Return request ${seeded.old.reference} (damaged): waiting for the customer`)
  })
})
