import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Visitor } from '../support/check-visitor'
import { expectAuditChainVerifies, killDuring } from '../support/killed-portal'
import { type PortalServer, startPortal } from '../support/portal-server'
import { formWith, heavyJpeg, type Upload } from '../support/return-photos'
import { testSecrets } from '../support/secrets'
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink'

/**
 * The web server killed with SIGKILL while a write is in flight (an e-mail
 * check, a return upload), at several moments from "just arrived" to "about
 * done", then started again on the same file: the file is sound, what the
 * request wrote is whole or absent, the audit chain verifies, and the same
 * request then simply succeeds.
 */

const secrets = testSecrets()
const DELAYS_MS = [0, 30, 90, 200]
let directory: string
let databasePath: string
let sink: SmtpSink
let portal: PortalServer | undefined
let photo: Upload

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'portal-kill-http-'))
  databasePath = join(directory, 'portal.db')
  sink = await startSmtpSink()
  photo = await heavyJpeg('box.jpg', 2)
})

afterAll(async () => {
  await portal?.stop()
  await sink?.close()
  if (directory) rmSync(directory, { recursive: true, force: true })
})

const start = async () => {
  portal = await startPortal({
    env: { ...secrets, SMTP_URL: sink.url, SMTP_RATE: '1000', DATABASE_URL: databasePath },
  })
  return portal
}

function readDatabase<T>(read: (db: Database.Database) => T): T {
  const db = new Database(databasePath, { readonly: true })
  try {
    return read(db)
  } finally {
    db.close()
  }
}

function soundAfterKill() {
  return readDatabase((db) => {
    const one = (sql: string) => Number(db.prepare(sql).pluck().get())
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      // A photo belongs to a draft or a filed request that exists: never left on its own.
      strayPhotos: one(`
        select count(*) from return_photos p
        where not exists (select 1 from return_drafts d where d.id = p.draft_id)
          and not exists (select 1 from return_requests r where r.id = p.request_id)`),
      // A queued e-mail has its content, or was sent (and its content dropped).
      outboxWithoutContent: one(
        "select count(*) from outbox_messages where state in ('pending', 'sending') and content_sealed is null",
      ),
    }
  })
}

const auditVerifies = () => expectAuditChainVerifies({ directory, databasePath, secrets })

async function postReturn(server: PortalServer) {
  const visitor = new Visitor(server.url)
  expect((await visitor.get('/returns/new')).status).toBe(200)
  const fields = {
    csrf: visitor.csrf ?? '',
    reason: 'damaged',
    number: '1234-5678-9012',
    description: 'The box arrived crushed.',
    email: 'kill.return@example.jp',
  }
  return () => visitor.postMultipart('/returns/new', formWith(fields, [photo]))
}

async function postEmailCheck(server: PortalServer) {
  const visitor = new Visitor(server.url)
  expect((await visitor.get('/check/email')).status).toBe(200)
  return () => visitor.post('/check/email', { csrf: visitor.csrf ?? '', email: 'kill.check@example.jp' })
}

describe('SIGKILL with a write in flight', () => {
  for (const [name, prepare, done] of [
    ['a return upload', postReturn, '/returns/confirm'],
    ['an e-mail check', postEmailCheck, '/check/email/code'],
  ] as const) {
    it(`${name}: whole or absent, the chain verifies, and the request then succeeds`, async () => {
      const outcomes: string[] = []
      for (const delayMs of DELAYS_MS) {
        const server = await start()
        outcomes.push(await killDuring(server, delayMs, await prepare(server)))
        portal = undefined
        expect(soundAfterKill(), `killed after ${delayMs} ms`).toEqual({
          integrity: 'ok',
          strayPhotos: 0,
          outboxWithoutContent: 0,
        })
      }
      // At least the kill at once lands before the answer: the request was cut off mid-way.
      expect(outcomes).toContain('cut off')
      // The chain holds after every kill (an entry torn by any of them would break it).
      await auditVerifies()
      const server = await start()
      const again = await (await prepare(server))()
      expect(again.status).toBe(303)
      expect(again.location).toBe(done)
      await server.stop()
      portal = undefined
      await auditVerifies()
    }, 240_000)
  }
})
