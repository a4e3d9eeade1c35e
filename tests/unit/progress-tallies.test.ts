import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { countNoticesByDay } from '~db/breach-report'
import { closeDatabase, openDatabase, type SqliteDatabase } from '~db/client'
import { type PortalDatabase, withTransaction } from '~db/database'
import { migrateDatabase } from '~db/migrate'
import { dropStagedNotifications, issueStagedNotifications } from '~db/notifications'
import { countNotices, countSteps, type ProgressDay, readDailyProgress } from '~db/portal-progress'
import { MESSAGE_CHANNELS, type MessageChannel } from '~db/schema'
import { setSessionHuman } from '~db/sessions'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { migrationsUpTo } from '../support/migrations-up-to'

/**
 * The dashboard's figures are tallies the database keeps by triggers as rows
 * change (migration 0017). Here random histories of the changes the portal
 * makes (notices issued, staged, dropped and resent; letter codes used;
 * sessions verified and ended; passwords, details and readiness, withdrawn
 * too; notice e-mails sent and refused) run against a real file, and the
 * figures must equal what a plain model of those histories says, day by day.
 * A database from before the tallies is counted once by the migration.
 */

const DAY = 24 * 60 * 60 * 1000
const japanDay = (at: number) => Math.floor((at + 9 * 60 * 60 * 1000) / DAY)

// Six records of four people: human 2 has two member records, human 5 a member and a buyer record.
const SUBJECTS = [
  { id: 1, human: 1, member: true },
  { id: 2, human: 2, member: true },
  { id: 3, human: 2, member: true },
  { id: 4, human: 4, member: false },
  { id: 5, human: 5, member: true },
  { id: 6, human: 5, member: false },
]
const HUMANS = [1, 2, 4, 5]
const MEMBER_RECORDS = SUBJECTS.filter((subject) => subject.member).map((subject) => subject.id)
const humanOf = (subjectId: number) => SUBJECTS.find((subject) => subject.id === subjectId)?.human as number

type Operation =
  | { kind: 'notice'; human: number; channel: MessageChannel; staged: boolean }
  | { kind: 'issueStaged' | 'dropStaged' }
  | { kind: 'resend'; human: number; channel: MessageChannel }
  | { kind: 'letterCodeUsed' | 'sessionVerified' | 'sessionMadeVerified' | 'sessionsEnded'; human: number }
  | { kind: 'password' | 'details' | 'ready' | 'readyWithdrawn'; subject: number }
  | { kind: 'email'; bulk: boolean; outcome: 'sent' | 'failed' | 'pending' }

const human = fc.constantFrom(...HUMANS)
const memberRecord = fc.constantFrom(...MEMBER_RECORDS)
const channel = fc.constantFrom(...MESSAGE_CHANNELS)
const operation = (withdrawals: boolean): fc.Arbitrary<Operation> =>
  fc.oneof(
    fc.record({ kind: fc.constant('notice' as const), human, channel, staged: fc.boolean() }),
    fc.record({ kind: fc.constantFrom('issueStaged' as const, 'dropStaged' as const) }),
    fc.record({ kind: fc.constant('resend' as const), human, channel }),
    fc.record({
      kind: fc.constantFrom(
        'letterCodeUsed' as const,
        'sessionVerified' as const,
        'sessionMadeVerified' as const,
        ...(withdrawals ? (['sessionsEnded'] as const) : []),
      ),
      human,
    }),
    fc.record({
      kind: fc.constantFrom(
        'password' as const,
        'details' as const,
        'ready' as const,
        ...(withdrawals ? (['readyWithdrawn'] as const) : []),
      ),
      subject: memberRecord,
    }),
    fc.record({
      kind: fc.constant('email' as const),
      bulk: fc.boolean(),
      outcome: fc.constantFrom('sent' as const, 'failed' as const, 'pending' as const),
    }),
  )
// Each change a little after the one before (up to two days), as time goes.
const history = (withdrawals: boolean) =>
  fc.array(fc.tuple(operation(withdrawals), fc.integer({ min: 0, max: 2 * DAY })), { maxLength: 60 })

/** What the figures should be, kept in plain JavaScript as the history unfolds. */
class Model {
  notices = new Map<number, { channel: MessageChannel; issued: boolean; day: number }>()
  emails: { bulk: boolean; state: string; day: number }[] = []
  checked = new Map<number, number>()
  passwordReset = new Map<number, number>()
  detailsConfirmed = new Map<number, number>()
  readyRecords = new Set<number>()
  ready = new Map<number, number>()
  // What the tables themselves keep, all a migration can count from: a member record holds only
  // its last new password and confirmation; letter codes and sessions keep their first time.
  lastPassword = new Map<number, number>()
  lastDetails = new Map<number, number>()
  otherChecks = new Map<number, number>()

  firstDay(map: Map<number, number>, human: number, day: number) {
    map.set(human, Math.min(map.get(human) ?? day, day))
  }

  apply(op: Operation, at: number) {
    const day = japanDay(at)
    switch (op.kind) {
      case 'notice':
        if (!this.notices.has(op.human))
          this.notices.set(op.human, { channel: op.channel, issued: !op.staged, day })
        break
      case 'issueStaged':
        for (const notice of this.notices.values()) notice.issued = true
        break
      case 'dropStaged':
        for (const [human, notice] of this.notices) if (!notice.issued) this.notices.delete(human)
        break
      case 'resend': {
        const notice = this.notices.get(op.human)
        if (notice?.issued) notice.channel = op.channel
        break
      }
      // Only an issued notice's code finds its holder (`findLetterCodeHolder`): a staged letter is not yet printed.
      case 'letterCodeUsed':
        if (this.notices.get(op.human)?.issued) {
          this.firstDay(this.checked, op.human, day)
          this.firstDay(this.otherChecks, op.human, day)
        }
        break
      case 'sessionVerified':
      case 'sessionMadeVerified':
        this.firstDay(this.checked, op.human, day)
        this.firstDay(this.otherChecks, op.human, day)
        break
      case 'sessionsEnded':
        break
      case 'password':
      case 'details':
        this.firstDay(this.checked, humanOf(op.subject), day)
        this.firstDay(
          op.kind === 'password' ? this.passwordReset : this.detailsConfirmed,
          humanOf(op.subject),
          day,
        )
        ;(op.kind === 'password' ? this.lastPassword : this.lastDetails).set(op.subject, day)
        break
      case 'ready':
        if (!this.readyRecords.has(op.subject)) {
          this.readyRecords.add(op.subject)
          this.firstDay(this.ready, humanOf(op.subject), day)
        }
        break
      case 'readyWithdrawn': {
        this.readyRecords.delete(op.subject)
        const owner = humanOf(op.subject)
        if (![...this.readyRecords].some((subject) => humanOf(subject) === owner)) this.ready.delete(owner)
        break
      }
      case 'email':
        this.emails.push({ bulk: op.bulk, state: op.outcome, day })
        break
    }
  }

  /**
   * The figures a migration counts from what the tables kept of this history
   * (its histories end no session and withdraw no readiness): a member who set
   * a password twice counts on the day of the second.
   */
  leftoverFigures() {
    const perHuman = (perRecord: Map<number, number>) => {
      const days = new Map<number, number>()
      for (const [subject, day] of perRecord) this.firstDay(days, humanOf(subject), day)
      return days
    }
    const passwordReset = perHuman(this.lastPassword)
    const detailsConfirmed = perHuman(this.lastDetails)
    const checked = new Map<number, number>()
    for (const traces of [this.otherChecks, passwordReset, detailsConfirmed])
      for (const [human, day] of traces) this.firstDay(checked, human, day)
    return Object.assign(new Model(), this, { checked, passwordReset, detailsConfirmed }).figures()
  }

  figures() {
    const issued = [...this.notices.values()].filter((notice) => notice.issued)
    const noticeEmails = (state: string) =>
      this.emails.filter((email) => email.bulk && email.state === state).length
    const days = new Map<number, ProgressDay>()
    const add = (day: number, step: keyof Omit<ProgressDay, 'day'>) => {
      const entry = days.get(day) ?? { day, notified: 0, checked: 0, passwordReset: 0, ready: 0 }
      entry[step] += 1
      days.set(day, entry)
    }
    for (const notice of issued) add(notice.day, 'notified')
    for (const day of this.checked.values()) add(day, 'checked')
    for (const day of this.passwordReset.values()) add(day, 'passwordReset')
    for (const day of this.ready.values()) add(day, 'ready')
    const byDay = MESSAGE_CHANNELS.flatMap((channel) => {
      const perDay = new Map<number, number>()
      for (const notice of issued.filter((n) => n.channel === channel))
        perDay.set(notice.day, (perDay.get(notice.day) ?? 0) + 1)
      return [...perDay].sort(([a], [b]) => a - b).map(([day, people]) => ({ channel, day, people }))
    }).sort((a, b) => a.channel.localeCompare(b.channel) || a.day - b.day)
    return {
      notices: {
        notified: Object.fromEntries(
          MESSAGE_CHANNELS.map((channel) => [
            channel,
            issued.filter((notice) => notice.channel === channel).length,
          ]),
        ),
        emailsSent: noticeEmails('sent'),
        emailsFailed: noticeEmails('failed'),
      },
      steps: {
        checked: this.checked.size,
        passwordReset: this.passwordReset.size,
        detailsConfirmed: this.detailsConfirmed.size,
        ready: this.ready.size,
      },
      daily: [...days.values()].sort((a, b) => a.day - b.day),
      byDay,
    }
  }
}

/**
 * The same change made to the database, as the portal's own statements make it: the portal's
 * functions on `portal`, the rest straight on the connection under it.
 */
async function applyTo(db: SqliteDatabase, portal: PortalDatabase, op: Operation, at: number) {
  const sqlite = db.$client
  const run = (sql: string, ...params: unknown[]) => sqlite.prepare(sql).run(...params)
  const message = () =>
    Number(
      run(
        `insert into messages (human_id, channel, purpose, reference_index, created_at)
         values (?, 'email', 'notification', ?, ?)`,
        'human' in op ? op.human : 1,
        randomBytes(16),
        at,
      ).lastInsertRowid,
    )
  switch (op.kind) {
    case 'notice':
      run(
        `insert into notifications (human_id, channel, message_id, state, letter_code_index, created_at)
         select ?, ?, ?, ?, ?, ? where not exists (select 1 from notifications where human_id = ?)`,
        op.human,
        op.channel,
        message(),
        op.staged ? 'staged' : 'issued',
        randomBytes(16),
        at,
        op.human,
      )
      break
    case 'issueStaged':
      await issueStagedNotifications(portal)
      break
    case 'dropStaged':
      await dropStagedNotifications(portal)
      break
    case 'resend':
      run(
        "update notifications set channel = ?, message_id = ? where human_id = ? and state = 'issued'",
        op.channel,
        message(),
        op.human,
      )
      break
    case 'letterCodeUsed':
      run(
        "update notifications set letter_code_used_at = coalesce(letter_code_used_at, ?) where human_id = ? and state = 'issued'",
        at,
        op.human,
      )
      break
    case 'sessionVerified':
    case 'sessionMadeVerified': {
      const idHash = randomBytes(32)
      run(
        `insert into sessions (id_hash, kind, human_id, created_at, last_seen_at, expires_at)
         values (?, 'customer', ?, ?, ?, ?)`,
        idHash,
        op.kind === 'sessionVerified' ? op.human : null,
        at,
        at,
        at + DAY,
      )
      if (op.kind === 'sessionMadeVerified') await setSessionHuman(portal, { idHash, humanId: op.human })
      break
    }
    case 'sessionsEnded':
      run('delete from sessions where human_id = ?', op.human)
      break
    case 'password':
      run('update member_accounts set password_changed_at = ? where subject_id = ?', at, op.subject)
      break
    case 'details':
      run('update member_accounts set details_confirmed_at = ? where subject_id = ?', at, op.subject)
      break
    case 'ready':
      run('update member_accounts set ready_at = coalesce(ready_at, ?) where subject_id = ?', at, op.subject)
      break
    case 'readyWithdrawn':
      run('update member_accounts set ready_at = null where subject_id = ?', op.subject)
      break
    case 'email': {
      const id = run(
        "insert into outbox_messages (state, priority, next_attempt_at, created_at) values ('pending', ?, ?, ?)",
        op.bulk ? 1 : 0,
        at,
        at,
      ).lastInsertRowid
      if (op.outcome === 'pending') break
      run("update outbox_messages set state = 'sending', attempts = 1 where id = ?", id)
      run('update outbox_messages set state = ?, sent_at = ? where id = ?', op.outcome, at, id)
      break
    }
  }
}

async function portalFigures(db: PortalDatabase) {
  return {
    notices: await countNotices(db),
    steps: await countSteps(db),
    daily: await readDailyProgress(db),
    byDay: await countNoticesByDay(db),
  }
}

function people(db: SqliteDatabase) {
  const insertSubject = db.$client.prepare(
    `insert into subjects (id, human_id, cohort, natural_id_index, exposed_categories, record_sealed)
     values (?, ?, ?, ?, 0, x'00')`,
  )
  const insertAccount = db.$client.prepare('insert into member_accounts (subject_id) values (?)')
  for (const subject of SUBJECTS) {
    insertSubject.run(subject.id, subject.human, subject.member ? 'member' : 'auction_buyer', randomBytes(16))
    if (subject.member) insertAccount.run(subject.id)
  }
}

let directory: string | undefined
let db: SqliteDatabase | undefined

afterEach(() => {
  if (db) closeDatabase(db)
  if (directory) rmSync(directory, { recursive: true, force: true })
  db = undefined
  directory = undefined
})

function freshDatabase() {
  directory = mkdtempSync(join(tmpdir(), 'progress-tallies-'))
  db = openDatabase(join(directory, 'portal.db'))
  return { directory, db }
}

const START = Date.UTC(2026, 1, 20)

/** The history made to the database and to the model alike; answers the model. */
async function play(db: SqliteDatabase, portal: PortalDatabase, steps: [Operation, number][]) {
  const model = new Model()
  let at = START
  for (const [op, gap] of steps) {
    at += gap
    model.apply(op, at)
    await applyTo(db, portal, op, at)
  }
  return model
}

/** Thrown at the end of a history, so that its transaction is rolled back. */
class HistoryOver extends Error {}

describe('the progress tallies', () => {
  it('equal what the history of changes says, day by day, whatever the history', async () => {
    const { db } = freshDatabase()
    migrateDatabase(db)
    people(db)
    const portal = sqlitePortalDatabase(db)
    await fc.assert(
      fc.asyncProperty(history(true), async (steps) => {
        // Each history from the same start: a transaction rolled back after it, triggers' work included.
        try {
          await withTransaction(portal, async (tx) => {
            const model = await play(db, tx, steps)
            expect(await portalFigures(tx)).toEqual(model.figures())
            throw new HistoryOver()
          })
        } catch (error) {
          if (!(error instanceof HistoryOver)) throw error
        }
      }),
      { numRuns: 300 },
    )
  })

  it('are counted once, by the migration that makes them, from a database that had none', async () => {
    await fc.assert(
      fc.asyncProperty(history(false), async (steps) => {
        const { directory, db } = freshDatabase()
        try {
          migrationsUpTo('0016_printer_reprints', join(directory, 'migrations'))
          migrate(db, { migrationsFolder: join(directory, 'migrations') })
          people(db)
          const portal = sqlitePortalDatabase(db)
          const model = await play(db, portal, steps)
          migrateDatabase(db)
          expect(await portalFigures(portal)).toEqual(model.leftoverFigures())
        } finally {
          closeDatabase(db)
          rmSync(directory, { recursive: true, force: true })
        }
      }),
      { numRuns: 40 },
    )
    db = undefined
    directory = undefined
  })
})
