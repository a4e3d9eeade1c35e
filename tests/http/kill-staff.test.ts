import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoStaff } from '~/staff/demo-staff.server'
import { closeDatabase, openDatabase } from '~db/client'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { findHumanIdByEmail } from '~db/subjects'
import { importExport, readDatabase, type Visitor } from '../support/check-visitor'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { expectAuditChainVerifies, freePort, integrityOf, killDuring } from '../support/killed-portal'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'
import { closeStaffPortal, DEMO_SUPERVISOR, enrolDemoStaff } from '../support/staff-portal'

/**
 * The web server killed with SIGKILL while a staff member adds a note to a
 * case, at several moments, then started again on the same file (and port,
 * so the staff session carries on): the note and its audit entry are both
 * there or neither is, the chain verifies, and the note can simply be added
 * again.
 */

const secrets = testSecrets()
const crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
const CUSTOMER = 'kill.case@example.jp'
const DELAYS_MS = [0, 10, 40]
let directory: string
let databasePath: string
let port: number
let portal: PortalServer | undefined
let staff: Visitor
let humanId: number

const start = async () => {
  portal = await startPortal({ env: { ...secrets, DATABASE_URL: databasePath, PORT: String(port) } })
  return portal
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'portal-kill-staff-'))
  databasePath = join(directory, 'portal.db')
  port = await freePort()
  const server = await start()
  await importExport(databasePath, secrets, {
    'members.csv': [MEMBER_COLUMNS, member({ member_id: 'C1', email: CUSTOMER })],
  })
  const db = openDatabase(databasePath)
  try {
    await ensureDemoStaff({ db: sqlitePortalDatabase(db), crypto })
    humanId = (await findHumanIdByEmail(sqlitePortalDatabase(db), crypto.lookup('email', CUSTOMER))) as number
  } finally {
    closeDatabase(db)
  }
  expect(humanId).toBeGreaterThan(0)
  const [supervisor] = await enrolDemoStaff(server, [DEMO_SUPERVISOR])
  staff = supervisor.visitor
  await server.stop()
  portal = undefined
}, 120_000)

afterAll(() => closeStaffPortal(directory, portal?.stop()))

/** Notes on the case, and the audit entries that say one was added. */
const noteState = () =>
  readDatabase(databasePath, (db) => ({
    notes: Number(db.prepare('select count(*) from case_notes where human_id = ?').pluck().get(humanId)),
    audited: Number(
      db
        .prepare(
          "select count(*) from audit_log where action = 'case.note_added' and target_kind = 'case' and target_id = ?",
        )
        .pluck()
        .get(String(humanId)),
    ),
  }))

async function addNote(note: string) {
  const page = await staff.get(`/staff/cases/${humanId}`)
  expect(page.status).toBe(200)
  return () => staff.post(`/staff/cases/${humanId}`, { csrf: staff.csrf ?? '', intent: 'add-note', note })
}

describe('SIGKILL while staff add a note to a case', () => {
  it('leaves the note with its audit entry, or neither; the chain verifies and adding it again works', async () => {
    expect(noteState()).toEqual({ notes: 0, audited: 0 })
    const outcomes: string[] = []
    for (const delayMs of DELAYS_MS) {
      const server = await start()
      outcomes.push(
        await killDuring(server, delayMs, await addNote(`Caller asked about the notice (${delayMs})`)),
      )
      portal = undefined
      expect(integrityOf(databasePath)).toBe('ok')
      const { notes, audited } = noteState()
      expect(audited, `killed after ${delayMs} ms`).toBe(notes)
    }
    expect(outcomes).toContain('cut off')
    await expectAuditChainVerifies({ directory, databasePath, secrets })

    const before = noteState()
    const server = await start()
    const added = await (await addNote('Caller asked again; note added after the restarts'))()
    expect(added.status).toBe(303)
    expect(added.location).toBe(`/staff/cases/${humanId}?done=add-note`)
    await server.stop()
    portal = undefined
    expect(noteState()).toEqual({ notes: before.notes + 1, audited: before.audited + 1 })
    await expectAuditChainVerifies({ directory, databasePath, secrets })
  }, 180_000)
})
