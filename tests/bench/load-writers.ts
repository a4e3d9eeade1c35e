import { randomBytes } from 'node:crypto'
import { hashPassword } from '~/accounts/password-hash.server'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { prefecturesOfPostalCode } from '~/accounts/postal-codes.server'
import { registrationDetailsForm } from '~/accounts/registration-form'
import { detailsFromRecord } from '~/accounts/registration-prefill'
import { readForm } from '~/forms/bounded-form'
import { closeDatabase, openDatabase } from '~db/client'
import { saveNewPassword } from '~db/member-account-updates'
import { findMemberAccount } from '~db/member-accounts'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'

/**
 * The members whose writes bench:load checks afterwards: some still to reset
 * their password, others past that step (their password set here as the
 * reset saves it) with their details to confirm, each with the form they
 * will post, built from their record as the details page fills it. Cards
 * would need a choice each: members with saved cards are left out, and so
 * are those whose record the form would send back for a correction
 * (`passedOver`, counted by field).
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
  const portal = sqlitePortalDatabase(db)
  const { keyring } = createPortalCrypto({
    dataKey: secrets.PORTAL_DATA_KEY as string,
    indexKey: secrets.PORTAL_INDEX_KEY as string,
  })
  try {
    // More than needed: a member whose record the form would send back for a correction is passed over.
    const rows = db.$client
      .prepare(
        `select s.human_id as humanId, s.id as subjectId from subjects s join member_accounts a on a.subject_id = s.id
         where s.cohort = 'member' and a.password_hash is null and a.details_confirmed_at is null
           and not exists (select 1 from stored_cards c where c.subject_id = s.id)
           and (select count(*) from subjects o where o.human_id = s.human_id and o.cohort = 'member') = 1
         order by s.id desc limit ?`,
      )
      .all(resetters + confirmers * SPARE_FACTOR) as { humanId: number; subjectId: number }[]
    if (rows.length < resetters + confirmers) throw new Error('not enough members to reset and confirm')
    const resetting = rows.slice(0, resetters).map((row) => ({ ...row, body: '' }))
    const passwordHash = await hashPassword(randomBytes(24).toString('base64url'))
    stopPasswordWork()
    const confirming: Writer[] = []
    const passedOver = new Map<string, number>()
    for (const row of rows.slice(resetters)) {
      if (confirming.length === confirmers) break
      const account = await findMemberAccount(portal, keyring, row.subjectId)
      if (!account) throw new Error('a member just chosen has no account')
      const values = detailsFromRecord({ ...account.details, naturalId: account.memberId })
      // Some exposed records have no gender, and the form asks for a choice: the member's is the
      // form's last, "prefer not to say".
      if (!values.gender) values.gender = '0'
      const fields = Object.entries(values).map(([name, value]) => [name, String(value ?? '')])
      const refused = fieldsRefused(fields, { emailOptional: !account.details.email })
      if (refused.length > 0) {
        for (const name of refused) passedOver.set(name, (passedOver.get(name) ?? 0) + 1)
        continue
      }
      await saveNewPassword(portal, keyring, { subjectId: row.subjectId, passwordHash, now: Date.now() })
      confirming.push({ ...row, body: new URLSearchParams(fields).toString() })
    }
    if (confirming.length < confirmers)
      throw new Error('not enough members whose details the form takes as they are')
    return { resetting, confirming, passedOver }
  } finally {
    closeDatabase(db)
  }
}

// Records the form sends back are a few in thousands (a birth date past the age limits as the
// calendar moves on, a postal code of another prefecture): twice the members needed is plenty.
const SPARE_FACTOR = 2

/**
 * The fields the details form would send back for a correction, as the page
 * reads them: such a member corrects them before confirming, a write of
 * another kind (a 422 first) than the one the benchmark counts.
 */
function fieldsRefused(fields: string[][], { emailOptional }: { emailOptional: boolean }) {
  const form = new FormData()
  for (const [name, value] of fields) form.append(name as string, value as string)
  const parsed = readForm(
    form,
    registrationDetailsForm({ prefecturesFor: prefecturesOfPostalCode, emailOptional }),
  )
  return parsed.success ? [] : [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))]
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
