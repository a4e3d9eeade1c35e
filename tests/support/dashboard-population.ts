import { join } from 'node:path'
import Database from 'better-sqlite3'
import { parseGenerateArgs } from '~/cli/generate-args'
import { generateExports } from '~db/generate/generate'
import { commandEnv } from './check-visitor'
import { runPortalCommand, type Secrets } from './notified-population'

/**
 * A database for the staff dashboard's tests: a generated export (every
 * cohort, some people linked across cohorts) imported and notified by the
 * real commands, then moved along by plain SQL over a few Japan days: notices
 * spread over three days from FIRST_NOTICE, letter codes used, passwords set,
 * details confirmed and accounts ready, two verified sessions, notice e-mails
 * sent and refused.
 */

const DAY = 24 * 60 * 60 * 1000
const JAPAN = 9 * 60 * 60 * 1000

/** The first notice went out five Japan days ago, at 10:00 Japan time. */
export const FIRST_NOTICE =
  Math.floor((Date.now() + JAPAN) / DAY) * DAY - JAPAN - 5 * DAY + 10 * 60 * 60 * 1000

/** Fills `databasePath` (migrated, closed) in `directory`, where the export and printer files go too. */
export async function dashboardPopulation({
  directory,
  databasePath,
  secrets,
}: {
  directory: string
  databasePath: string
  secrets: Secrets
}) {
  const exportDir = join(directory, 'export')
  const parsed = parseGenerateArgs([
    ...['--out', exportDir, '--members', '240', '--buyers', '90'],
    ...['--employees', '12', '--warehouse', '15', '--seed', 'dashboard'],
  ])
  if (!parsed.ok || !('args' in parsed)) throw new Error('bad generator arguments')
  await generateExports(parsed.args)
  const env = commandEnv(databasePath, secrets)
  const imported = await runPortalCommand('app/cli/import.ts', { cwd: directory, env, args: [exportDir] })
  if (imported.status !== 0) throw new Error(`import exited with ${imported.status}: ${imported.stderr}`)
  const notified = await runPortalCommand('app/cli/notify.ts', {
    cwd: directory,
    env,
    args: ['--postcards', join(directory, 'postcards.csv'), '--handouts', join(directory, 'handouts.csv')],
  })
  if (notified.status !== 0) throw new Error(`notify exited with ${notified.status}: ${notified.stderr}`)
  makeProgress(databasePath)
}

/** Moves the notified population along, as days of people checking and acting would. */
function makeProgress(databasePath: string) {
  const db = new Database(databasePath)
  try {
    db.transaction(() => {
      const notices = db.prepare('select id, human_id from notifications order by id').all() as {
        id: number
        human_id: number
      }[]
      notices.forEach(({ id }, i) => {
        // Most notices on the first day, the rest over the next two; every third code used, days later.
        db.prepare('update notifications set created_at = ? where id = ?').run(
          FIRST_NOTICE + (i % 5 === 0 ? 1 : i % 7 === 0 ? 2 : 0) * DAY + (i % 13) * 60_000,
          id,
        )
        if (i % 3 === 0)
          db.prepare('update notifications set letter_code_used_at = ? where id = ?').run(
            FIRST_NOTICE + ((i % 4) + 1) * DAY + 3_600_000,
            id,
          )
      })
      const accounts = db.prepare('select subject_id from member_accounts order by subject_id').all() as {
        subject_id: number
      }[]
      accounts.forEach(({ subject_id }, i) => {
        const at = FIRST_NOTICE + ((i % 3) + 1) * DAY + 7_200_000
        if (i % 4 === 0)
          db.prepare('update member_accounts set password_changed_at = ? where subject_id = ?').run(
            at,
            subject_id,
          )
        if (i % 8 === 0)
          db.prepare(
            'update member_accounts set details_confirmed_at = ?, ready_at = ? where subject_id = ?',
          ).run(at + 600_000, at + 600_000, subject_id)
      })
      // Two people who proved themselves by e-mail code, their verified sessions still on record.
      const [first, second] = db
        .prepare(
          'select human_id from notifications where letter_code_used_at is null order by human_id desc limit 2',
        )
        .all() as { human_id: number }[]
      for (const [n, human] of [first, second].entries())
        db.prepare(
          `insert into sessions (id_hash, kind, human_id, created_at, last_seen_at, expires_at)
           values (randomblob(32), 'customer', ?, ?, ?, ?)`,
        ).run(human?.human_id, FIRST_NOTICE + (n + 2) * DAY, FIRST_NOTICE + (n + 2) * DAY, Date.now() + DAY)
      // An anonymous session proves nothing.
      db.prepare(
        `insert into sessions (id_hash, kind, created_at, last_seen_at, expires_at)
         values (randomblob(32), 'customer', ?, ?, ?)`,
      ).run(FIRST_NOTICE, FIRST_NOTICE, Date.now() + DAY)
      db.prepare("update outbox_messages set state = 'sent', sent_at = ? where id % 10 != 0").run(
        FIRST_NOTICE,
      )
      db.prepare("update outbox_messages set state = 'failed', last_error = '550' where id % 10 = 0").run()
    })()
  } finally {
    db.close()
  }
}
