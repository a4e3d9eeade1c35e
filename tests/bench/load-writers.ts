import { randomBytes } from 'node:crypto'
import { hashPassword } from '~/accounts/password-hash.server'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { detailsFromRecord } from '~/accounts/registration-prefill'
import { closeDatabase, openDatabase } from '~db/client'
import { saveNewPassword } from '~db/member-account-updates'
import { findMemberAccount } from '~db/member-accounts'
import { createPortalCrypto } from '~db/portal-crypto'

/**
 * The members whose writes bench:load checks afterwards: some still to reset
 * their password, others past that step (their password set here as the
 * reset saves it) with their details to confirm, each with the form they
 * will post, built from their record as the details page fills it. Cards
 * would need a choice each: members with saved cards are left out.
 */

export type Writer = { subjectId: number; humanId: number; body: string }

export async function chooseWriters({
  databasePath,
  secrets,
  resetters,
  confirmers,
}: {
  databasePath: string
  secrets: Record<string, string>
  resetters: number
  confirmers: number
}) {
  const db = openDatabase(databasePath)
  const { keyring } = createPortalCrypto({
    dataKey: secrets.PORTAL_DATA_KEY as string,
    indexKey: secrets.PORTAL_INDEX_KEY as string,
  })
  try {
    const rows = db.$client
      .prepare(
        `select s.human_id as humanId, s.id as subjectId from subjects s join member_accounts a on a.subject_id = s.id
         where s.cohort = 'member' and a.password_hash is null and a.details_confirmed_at is null
           and not exists (select 1 from stored_cards c where c.subject_id = s.id)
           and (select count(*) from subjects o where o.human_id = s.human_id and o.cohort = 'member') = 1
         order by s.id desc limit ?`,
      )
      .all(resetters + confirmers) as { humanId: number; subjectId: number }[]
    if (rows.length < resetters + confirmers) throw new Error('not enough members to reset and confirm')
    const resetting = rows.slice(0, resetters).map((row) => ({ ...row, body: '' }))
    const passwordHash = await hashPassword(randomBytes(24).toString('base64url'))
    stopPasswordWork()
    const confirming: Writer[] = rows.slice(resetters).map((row) => {
      saveNewPassword(db, keyring, { subjectId: row.subjectId, passwordHash, now: Date.now() })
      const account = findMemberAccount(db, keyring, row.subjectId)
      if (!account) throw new Error('a member just chosen has no account')
      const values = detailsFromRecord({ ...account.details, naturalId: account.memberId })
      // Some exposed records have no gender, and the form asks for a choice: the member's is the
      // form's last, "prefer not to say".
      if (!values.gender) values.gender = '0'
      const fields = Object.entries(values).map(([name, value]) => [name, String(value ?? '')])
      return { ...row, body: new URLSearchParams(fields).toString() }
    })
    return { resetting, confirming }
  } finally {
    closeDatabase(db)
  }
}

/** What the database holds afterwards for the writers: password changes and confirmations per member. */
export function writesFound(databasePath: string, subjectIds: readonly number[]) {
  const db = openDatabase(databasePath)
  try {
    const passwordSet = db.$client.prepare(
      'select password_changed_at is not null from member_accounts where subject_id = ?',
    )
    const confirmations = db.$client.prepare('select count(*) from detail_confirmations where subject_id = ?')
    return new Map(
      subjectIds.map((id) => [
        id,
        {
          passwordSet: Boolean(passwordSet.pluck().get(id)),
          confirmations: confirmations.pluck().get(id) as number,
        },
      ]),
    )
  } finally {
    closeDatabase(db)
  }
}
