import { closeDatabase, openDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { countNotices, countSteps } from '~db/portal-progress'
import { sqlitePortalDatabase } from '~db/sqlite-store'

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Moves a benchmark's copy of the population to the middle of an incident,
 * as the console's dashboard would find it a fortnight after the notice:
 * everyone not yet told is notified over ten days (85 % by e-mail, the rest
 * by postcard), 97 % of the e-mails delivered and 3 % refused, 30 % of the
 * notices' letter codes used, and 35 % of members with a new password, most
 * of them with their details confirmed and ready. Plain SQL over the
 * migrated schema, so the tallies the dashboard reads are kept by the
 * database's own triggers, as they are when the portal makes these changes
 * one at a time. Nothing personal is written: codes and references are
 * random digests, and the e-mails' content is gone, as it is once sent.
 */
export async function advanceIncident(databasePath: string, { now = Date.now() } = {}) {
  const started = performance.now()
  const db = openDatabase(databasePath)
  try {
    migrateDatabase(db)
    const sqlite = db.$client
    const from = now - 14 * DAY_MS
    const spread = `(${from} + abs(random()) % ${10 * DAY_MS})`
    sqlite.transaction(() => {
      const before = sqlite.prepare('select coalesce(max(id), 0) from notifications').pluck().get() as number
      sqlite
        .prepare(
          `insert into messages (reference_index, human_id, channel, purpose, created_at)
           select randomblob(32), s.id, case when abs(random()) % 100 < 85 then 'email' else 'postcard' end,
             'notification', ${spread}
           from subjects s where s.id = s.human_id
             and not exists (select 1 from notifications n where n.human_id = s.id)`,
        )
        .run()
      sqlite
        .prepare(
          `insert into notifications (human_id, channel, message_id, state, letter_code_index, created_at)
           select m.human_id, m.channel, m.id, 'issued', randomblob(32), m.created_at
           from messages m where m.purpose = 'notification'
             and not exists (select 1 from notifications n where n.human_id = m.human_id)`,
        )
        .run()
      sqlite
        .prepare(
          `insert into outbox_messages (message_id, state, priority, attempts, next_attempt_at, sent_at, created_at)
           select n.message_id, case when abs(random()) % 100 < 3 then 'failed' else 'sent' end, 1, 1,
             n.created_at, n.created_at + 60000, n.created_at
           from notifications n where n.id > ? and n.channel = 'email'`,
        )
        .run(before)
      sqlite
        .prepare(
          `update notifications set letter_code_used_at = created_at + abs(random()) % ${3 * DAY_MS}
           where letter_code_used_at is null and abs(random()) % 100 < 30`,
        )
        .run()
      sqlite
        .prepare(
          `update member_accounts set password_changed_at = ${from} + abs(random()) % ${13 * DAY_MS}
           where password_changed_at is null and abs(random()) % 100 < 35`,
        )
        .run()
      sqlite
        .prepare(
          `update member_accounts set details_confirmed_at = password_changed_at + 120000
           where password_changed_at is not null and details_confirmed_at is null and abs(random()) % 100 < 80`,
        )
        .run()
      sqlite
        .prepare(
          `update member_accounts set ready_at = details_confirmed_at + 1000
           where details_confirmed_at is not null and ready_at is null`,
        )
        .run()
    })()
    const notices = await countNotices(sqlitePortalDatabase(db))
    const steps = await countSteps(sqlitePortalDatabase(db))
    const notified = Object.values(notices.notified).reduce((sum, count) => sum + count, 0)
    const thousands = (count: number) => count.toLocaleString('en')
    return (
      `an incident a fortnight on: ${thousands(notified)} people notified ` +
      `(${thousands(notices.notified.email)} by e-mail, ${thousands(notices.emailsFailed)} refused), ` +
      `${thousands(steps.checked)} checked, ${thousands(steps.passwordReset)} new passwords, ` +
      `${thousands(steps.ready)} ready (made in ${((performance.now() - started) / 1000).toFixed(0)} s)`
    )
  } finally {
    closeDatabase(db)
  }
}
