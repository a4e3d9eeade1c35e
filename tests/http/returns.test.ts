import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPortalCrypto } from '~db/portal-crypto'
import { photoContext } from '~db/return-drafts'
import { unseal } from '~db/seal'
import { mailTo, plainText, Visitor } from '../support/check-visitor'
import { portalRows, portalValue } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { portOf, rawRequest } from '../support/raw-http'
import {
  formWith,
  heavyJpeg,
  jpegWithGps,
  oversized,
  png,
  pngBomb,
  renamedProgram,
  truncatedJpeg,
  type Upload,
} from '../support/return-photos'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * Return requests over real HTTP against the built server: the form with
 * real photos, the code through a real SMTP server on loopback, the stored
 * photos read back from the database, and every file the portal must refuse.
 */

const RETURNS = JSON.parse(readFileSync(new URL('../../locales/ja/returns.json', import.meta.url), 'utf8'))
const problem = (key: string, name: string) =>
  (RETURNS.new.fileProblems[key] as string).replace('{{name}}', name)

const secrets = testSecrets()
let sink: SmtpSink
let portal: PortalServer

beforeAll(async () => {
  sink = await startSmtpSink()
  portal = await startPortal({ env: { ...secrets, SMTP_URL: sink.url, SMTP_RATE: '1000' } })
})

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
})

const TYPED = {
  reason: 'damaged',
  number: '１２３４－５６７８－９０１２',
  description: '外箱がつぶれ、カップが割れていました。',
}

async function openForm() {
  const visitor = new Visitor(portal.url)
  const page = await visitor.get('/returns/new')
  expect(page.status).toBe(200)
  return visitor
}

function post(visitor: Visitor, fields: Record<string, string>, files: Upload[]) {
  return visitor.postMultipart('/returns/new', formWith({ csrf: visitor.csrf ?? '', ...fields }, files))
}

/** The code the return mail to `address` carries, sent after `from`. */
async function returnCodeTo(address: string, from: number) {
  const mail = await mailTo(sink, address, { from, accept: (m) => /\n {4}\d{6}\s*\n/.test(plainText(m.raw)) })
  return plainText(mail.raw).match(/^ {4}(\d{6})\s*$/m)?.[1] as string
}

describe('filing a return request', () => {
  it('takes two photos, sends a code, files the request with its RT- reference, and keeps no metadata', async () => {
    const visitor = await openForm()
    const email = 'hanako.return@example.jp'
    const photo = await jpegWithGps()
    const original = await sharp(photo.bytes).metadata()
    expect(original.exif).toBeDefined()
    const from = sink.received.length
    const posted = await post(visitor, { ...TYPED, email }, [photo, await png()])
    expect(posted.status).toBe(303)
    expect(posted.location).toBe('/returns/confirm')

    const confirm = await visitor.get('/returns/confirm')
    expect(confirm.status).toBe(200)
    expect(confirm.body).toContain(email)
    const code = await returnCodeTo(email, from)
    const wrong = await visitor.post('/returns/confirm', {
      csrf: visitor.csrf ?? '',
      intent: 'confirm',
      code: code === '000000' ? '111111' : '000000',
    })
    expect(wrong.status).toBe(422)
    expect(wrong.body).toContain(RETURNS.confirm.errors.wrong)

    const mailsBefore = sink.received.length
    const filed = await visitor.post('/returns/confirm', {
      csrf: visitor.csrf ?? '',
      intent: 'confirm',
      code,
    })
    expect(filed.status).toBe(200)
    const reference = filed.body.match(/RT-[0-9A-Z]{5}-[0-9A-Z]{5}/)?.[0] as string
    expect(reference).toBeDefined()
    const receipt = await mailTo(sink, email, {
      from: mailsBefore,
      accept: (m) => plainText(m.raw).includes(reference),
    })
    expect(plainText(receipt.raw)).not.toMatch(/https?:\/\/\S+\/returns\/(new|confirm)/)

    const request = (
      await portalRows<{ id: number; reason: string; status: string; humanId: number | null }>(
        portal.databaseUrl,
        'select id, reason, status, human_id as "humanId" from return_requests where reference = ?',
        reference,
      )
    )[0] as { id: number; reason: string; status: string; humanId: number | null }
    expect(request).toMatchObject({ reason: 'damaged', status: 'new', humanId: null })
    // In the order they came (the photos of one post share their moment).
    const photos = await portalRows<{ id: string; sealed: Buffer; width: number; height: number }>(
      portal.databaseUrl,
      'select id, photo_sealed as sealed, width, height from return_photos where request_id = ? order by created_at, arrival',
      request.id,
    )
    expect(photos).toHaveLength(2)
    expect(await portalValue<number>(portal.databaseUrl, 'select count(*) from return_drafts')).toBe(0)
    const detail = await portalValue<string>(
      portal.databaseUrl,
      "select detail from audit_log where action = 'return.filed' and target_id = ?",
      reference,
    )
    expect(detail).not.toContain(email)

    const crypto = createPortalCrypto({
      dataKey: secrets.PORTAL_DATA_KEY,
      indexKey: secrets.PORTAL_INDEX_KEY,
    })
    const first = photos[0] as (typeof photos)[number]
    const stored = unseal({ keyring: crypto.keyring, context: photoContext(first.id), sealed: first.sealed })
    const metadata = await sharp(stored).metadata()
    expect(metadata.format).toBe('jpeg')
    expect(metadata.exif).toBeUndefined()
    expect([metadata.width, metadata.height]).toEqual([1600, 1200])
    // Neither the photo as stored nor as sent is anywhere on disk in the clear.
    const onDisk = readdirSync(portal.dataDirectory, { recursive: true })
      .map((name) => join(portal.dataDirectory, String(name)))
      .filter((path) => /portal\.db/.test(path) || /upload-spool/.test(path))
      .flatMap((path) => {
        try {
          return [readFileSync(path)]
        } catch {
          return []
        }
      })
    const middle = (bytes: Buffer) => bytes.subarray(bytes.length >> 1, (bytes.length >> 1) + 48)
    for (const file of onDisk) {
      expect(file.includes(middle(stored))).toBe(false)
      expect(file.includes(middle(photo.bytes))).toBe(false)
    }
  })
})

describe('the status page', () => {
  it('shows a request to whoever holds its contact address, and nobody else', async () => {
    const owner = 'status.owner@example.jp'
    const reference = await fileRequest(owner)
    const visitor = new Visitor(portal.url)
    await visitor.get('/returns/status')
    const malformed = await visitor.submit('/returns/status', {
      intent: 'ask',
      reference: 'RT-12345',
      email: owner,
    })
    expect(malformed.status).toBe(422)
    expect(malformed.body).toContain(RETURNS.status.errors.referenceInvalid)

    let from = sink.received.length
    // Typed in lower case with spaces, as people copy it.
    const typed = reference.toLowerCase().replace('-', ' - ')
    const asked = await visitor.submit('/returns/status', { intent: 'ask', reference: typed, email: owner })
    expect(asked.status).toBe(200)
    const code = await returnCodeTo(owner, from)
    const shown = await visitor.submit('/returns/status', { intent: 'view', reference, email: owner, code })
    expect(shown.status).toBe(200)
    expect(shown.body).toContain(RETURNS.status.statuses.new)
    expect(shown.body).toContain(reference)

    // Someone else's address gets its own code, and with it only "no request found".
    const stranger = 'status.stranger@example.jp'
    from = sink.received.length
    const strangerAsked = await visitor.submit('/returns/status', {
      intent: 'ask',
      reference,
      email: stranger,
    })
    expect(strangerAsked.status).toBe(200)
    const strangerCode = await returnCodeTo(stranger, from)
    const notFound = await visitor.submit('/returns/status', {
      intent: 'view',
      reference,
      email: stranger,
      code: strangerCode,
    })
    expect(notFound.status).toBe(404)
    expect(notFound.body).not.toContain(RETURNS.status.statuses.new)
  })
})

/** Files a request with one small photo through the pages, and returns its reference. */
async function fileRequest(email: string) {
  const visitor = await openForm()
  const from = sink.received.length
  const posted = await post(visitor, { ...TYPED, email }, [
    await jpegWithGps('one.jpg', { width: 320, height: 240 }),
  ])
  expect(posted.status).toBe(303)
  const code = await returnCodeTo(email, from)
  await visitor.get('/returns/confirm')
  const filed = await visitor.post('/returns/confirm', { csrf: visitor.csrf ?? '', intent: 'confirm', code })
  expect(filed.status).toBe(200)
  return filed.body.match(/RT-[0-9A-Z]{5}-[0-9A-Z]{5}/)?.[0] as string
}

describe('refused files', () => {
  const cases: [string, () => Promise<Upload> | Upload, string][] = [
    [
      'a program renamed .jpg',
      () => renamedProgram(readFileSync(process.execPath).subarray(0, 64 * 1024)),
      'notImage',
    ],
    ['a truncated JPEG', () => truncatedJpeg(), 'unreadable'],
    ['a 12 MB file', () => oversized(), 'tooLarge'],
    ['a 20000 × 20000 PNG bomb', () => pngBomb(), 'tooManyPixels'],
  ]
  for (const [what, make, key] of cases) {
    it(`refuses ${what} with its message and keeps everything typed and the good photo`, async () => {
      const visitor = await openForm()
      const bad = await make()
      const email = `refused.${key}@example.jp`
      const page = await post(visitor, { ...TYPED, email }, [
        await jpegWithGps('good.jpg', { width: 400, height: 300 }),
        bad,
      ])
      expect(page.status).toBe(422)
      expect(page.body).toContain(problem(key, bad.name))
      expect(page.body).toContain(email)
      expect(page.body).toContain(TYPED.description)
      expect(page.body).toContain(TYPED.number)
      // The good photo is held against the draft: the page lists it, and a reload still does.
      expect(page.body).toContain('name="removePhoto"')
      const again = await visitor.get('/returns/new')
      expect(again.body).toContain('name="removePhoto"')
      expect(again.body).toContain(problem(key, bad.name))
    })
  }

  it('keeps five photos and refuses the sixth', async () => {
    const visitor = await openForm()
    const photos = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) => jpegWithGps(`p${n}.jpg`, { width: 300, height: 200 })),
    )
    const page = await post(visitor, { ...TYPED, email: 'six@example.jp' }, photos)
    expect(page.status).toBe(422)
    expect(page.body).toContain(problem('tooMany', 'p6.jpg'))
    expect(page.body.match(/name="removePhoto"/g)).toHaveLength(5)
  })

  it('asks for a photo and a well-formed number, never answering with a 5xx', async () => {
    const visitor = await openForm()
    const page = await post(visitor, { ...TYPED, number: '12-34', email: 'nophoto@example.jp' }, [])
    expect(page.status).toBe(422)
    expect(page.body).toContain(RETURNS.new.errors.photosRequired)
    expect(page.body).toContain(RETURNS.new.errors.shippingNumberInvalid)
  })

  it('refuses a url-encoded post and a body over the upload limit before reading it', async () => {
    const visitor = await openForm()
    const encoded = await visitor.post('/returns/new', { csrf: visitor.csrf ?? '', ...TYPED })
    expect(encoded.status).toBe(415)
    // Refused on its declared length, before a byte of the body is read.
    const tooLarge = await rawRequest({
      port: portOf(portal.url),
      method: 'POST',
      path: '/returns/new',
      headers: {
        Host: new URL(portal.url).host,
        Origin: portal.url,
        'Content-Type': 'multipart/form-data; boundary=x',
        'Content-Length': String(40 * 1024 * 1024),
      },
    })
    expect(tooLarge.status).toBe(413)
  })
})

describe('memory', () => {
  const rssOf = (pid: number) =>
    Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1]) / 1024
  /** The server's photo helper: its child process started with `--expose-gc` (see photo-reencode.server.ts). */
  const photoHelperOf = (pid: number) =>
    readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number)
      .find((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('--expose-gc'))

  /**
   * RSS from /proc (Linux, as in CI and on this machine), sampled every 5 ms
   * through the post: the web process that streams the body, and the helper
   * that decodes one photo at a time, each measured against its own level
   * before the post. What remains above a process's level is mostly garbage
   * V8 has not yet collected: the body's chunks and their encrypted copies.
   */
  it('takes 30 MB of photos with the server growing by less than 60 MB', async () => {
    const visitor = await openForm()
    // Warmed up first: the image library's code and pools are loaded by the first photo, once per process.
    await post(visitor, { ...TYPED, email: 'warm@example.jp' }, [await heavyJpeg('warm.jpg', 2)])
    const helper = photoHelperOf(portal.pid) as number
    expect(helper).toBeGreaterThan(0)
    const photos = await Promise.all([1, 2, 3].map((n) => heavyJpeg(`heavy${n}.jpg`, 9.9)))
    const total = photos.reduce((sum, photo) => sum + photo.bytes.length, 0)
    expect(total).toBeGreaterThan(28 * 1024 * 1024)
    expect(total).toBeLessThanOrEqual(30 * 1024 * 1024)
    const fresh = await openForm()
    const before = { web: rssOf(portal.pid), helper: rssOf(helper) }
    const peak = { ...before }
    const sample = () => {
      peak.web = Math.max(peak.web, rssOf(portal.pid))
      peak.helper = Math.max(peak.helper, rssOf(helper))
    }
    const sampler = setInterval(sample, 5)
    const page = await post(fresh, { ...TYPED, email: 'heavy@example.jp' }, photos)
    clearInterval(sampler)
    sample()
    expect(page.status).toBe(303)
    expect(peak.web - before.web).toBeLessThan(60)
    expect(peak.helper - before.helper).toBeLessThan(60)
  })
})
