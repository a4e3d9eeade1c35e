import { type PortalDatabase, prepared, withTransaction } from './database'
import { detailsContext, findMemberAccount, type MemberDetails, pendingEmailContext } from './member-accounts'
import { closeAction, openAction } from './member-required-actions'
import { type Keyring, sealJson, unsealJson } from './seal'
import { type SubjectRecord, subjectRecordContext } from './subject-record'

/**
 * What a member changes on their account: the password that replaces the
 * exposed one, the details they confirm, a new e-mail address until its code
 * is entered. Each change closes (or opens) its required action in the same
 * transaction.
 */

/**
 * The new password is in: its hash stored, the exposed hash erased from the
 * sealed record (nothing can compare against it any more), the step closed.
 */
export async function saveNewPassword(
  db: PortalDatabase,
  keyring: Keyring,
  { subjectId, passwordHash, now }: { subjectId: number; passwordHash: string; now: number },
) {
  await withTransaction(db, async (tx) => {
    const row = await prepared<{ record_sealed: Buffer }>(
      tx,
      'select record_sealed from subjects where id = ?',
    ).get(subjectId)
    if (!row) throw new Error('no such member')
    const context = subjectRecordContext(subjectId)
    const { legacyPasswordHash: _erased, ...record } = unsealJson<SubjectRecord>({
      keyring,
      context,
      sealed: row.record_sealed,
    })
    await prepared(tx, 'update subjects set record_sealed = ?, updated_at = ? where id = ?').run(
      sealJson({ keyring, context, value: record }),
      now,
      subjectId,
    )
    await prepared(
      tx,
      'update member_accounts set password_hash = ?, password_changed_at = ?, updated_at = ? where subject_id = ?',
    ).run(passwordHash, now, now, subjectId)
    await closeAction(tx, { subjectId, action: 'reset_password', now })
  })
}

/** A stronger hash of the same password (parameters raised since it was made). */
export async function replacePasswordHash(
  db: PortalDatabase,
  { subjectId, passwordHash }: { subjectId: number; passwordHash: string },
) {
  await prepared(db, 'update member_accounts set password_hash = ? where subject_id = ?').run(
    passwordHash,
    subjectId,
  )
}

/**
 * The member confirmed their details: stored sealed, the change history
 * written (field names only), the step closed. A new e-mail address waits,
 * sealed, until its code is entered; until then `verify_email` stays open.
 */
export async function saveConfirmedDetails(
  db: PortalDatabase,
  keyring: Keyring,
  {
    subjectId,
    details,
    changedFields,
    pendingEmail,
    now,
  }: {
    subjectId: number
    details: MemberDetails
    changedFields: string[]
    pendingEmail?: string
    now: number
  },
) {
  await withTransaction(db, async (tx) => {
    await assertMemberAccount(tx, subjectId)
    await prepared(
      tx,
      `update member_accounts set details_sealed = ?, pending_email_sealed = ?, details_confirmed_at = ?, updated_at = ?
       where subject_id = ?`,
    ).run(
      sealJson({ keyring, context: detailsContext(subjectId), value: details }),
      pendingEmail === undefined
        ? null
        : sealJson({ keyring, context: pendingEmailContext(subjectId), value: pendingEmail }),
      now,
      now,
      subjectId,
    )
    await prepared(
      tx,
      'insert into detail_confirmations (subject_id, changed_fields, confirmed_at) values (?, ?, ?)',
    ).run(subjectId, JSON.stringify(changedFields), now)
    if (pendingEmail === undefined) await closeAction(tx, { subjectId, action: 'verify_email', now })
    else await openAction(tx, { subjectId, action: 'verify_email', now })
    await closeAction(tx, { subjectId, action: 'reconfirm_details', now })
  })
}

/** The new address proved itself: it replaces the old one, and sign-in finds the member by it. */
export async function confirmPendingEmail(
  db: PortalDatabase,
  keyring: Keyring,
  { subjectId, emailIndex, now }: { subjectId: number; emailIndex: Buffer; now: number },
) {
  await withTransaction(db, async (tx) => {
    const account = await findMemberAccount(tx, keyring, subjectId)
    if (!account?.pendingEmail) throw new Error('no address waiting')
    const details = { ...account.details, email: account.pendingEmail }
    await prepared(
      tx,
      `update member_accounts set details_sealed = ?, email_index = ?, pending_email_sealed = null, updated_at = ?
       where subject_id = ?`,
    ).run(
      sealJson({ keyring, context: detailsContext(subjectId), value: details }),
      emailIndex,
      now,
      subjectId,
    )
    await prepared(
      tx,
      'insert into detail_confirmations (subject_id, changed_fields, confirmed_at) values (?, ?, ?)',
    ).run(subjectId, JSON.stringify(['email']), now)
    await closeAction(tx, { subjectId, action: 'verify_email', now })
  })
}

async function assertMemberAccount(db: PortalDatabase, subjectId: number) {
  if (!(await prepared(db, 'select 1 from member_accounts where subject_id = ?').get(subjectId)))
    throw new Error('no such member')
}

/** The member keeps their old address after all: the new one is forgotten and its step closed. */
export async function dropPendingEmail(
  db: PortalDatabase,
  { subjectId, now }: { subjectId: number; now: number },
) {
  await withTransaction(db, async (tx) => {
    await prepared(
      tx,
      'update member_accounts set pending_email_sealed = null, updated_at = ? where subject_id = ?',
    ).run(now, subjectId)
    await closeAction(tx, { subjectId, action: 'verify_email', now })
  })
}
