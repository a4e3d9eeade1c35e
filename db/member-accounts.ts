import { type PortalDatabase, prepared } from './client'
import type { RequiredAction } from './schema'
import { type Keyring, sealJson, unsealJson } from './seal'
import { type SubjectRecord, subjectRecordContext } from './subject-record'

/**
 * Members' accounts: the password that replaces the exposed one, the details
 * they confirm, and the required actions still open. The subject's sealed
 * record stays what was exposed (minus the legacy hash once a new password is
 * set); confirmed details are sealed apart.
 */

/** The registration details a member confirms: the record's personal fields, nothing legacy. */
export type MemberDetails = Omit<SubjectRecord, 'naturalId' | 'legacyPasswordHash'>

export type MemberAccount = {
  subjectId: number
  humanId: number
  language: 'ja' | 'en'
  memberId: string
  openActions: RequiredAction[]
  passwordHash: string | null
  legacyPasswordHash: string | undefined
  /** The details as last confirmed, or as exposed while never confirmed. */
  details: MemberDetails
  pendingEmail: string | undefined
  detailsConfirmedAt: number | null
  readyAt: number | null
}

// Under the SQL column names the hand-written select returns, from two tables; times in epoch milliseconds.
type AccountRow = {
  subject_id: number
  human_id: number
  language: 'ja' | 'en'
  natural_id_index: Buffer
  record_sealed: Buffer
  password_hash: string | null
  open_actions: string
  details_sealed: Buffer | null
  pending_email_sealed: Buffer | null
  details_confirmed_at: number | null
  ready_at: number | null
}

const hex = (digest: Uint8Array) => Buffer.from(digest).toString('hex')
const detailsContext = (naturalIdIndex: Uint8Array) => `member_accounts:${hex(naturalIdIndex)}:details`
const pendingEmailContext = (naturalIdIndex: Uint8Array) =>
  `member_accounts:${hex(naturalIdIndex)}:pending_email`
const exposedContext = (naturalIdIndex: Uint8Array) => subjectRecordContext('member', naturalIdIndex)

const ACCOUNT_COLUMNS = `
  a.subject_id, s.human_id, s.language, s.natural_id_index, s.record_sealed, a.password_hash, a.open_actions,
  a.details_sealed, a.pending_email_sealed, a.details_confirmed_at, a.ready_at`

/**
 * The member account of a human, if they have one. Should a human hold two
 * member records, the one with steps still open comes first.
 */
export function findMemberAccountOfHuman(
  db: PortalDatabase,
  keyring: Keyring,
  humanId: number,
): MemberAccount | undefined {
  const row = prepared(
    db,
    `select ${ACCOUNT_COLUMNS}
     from subjects s join member_accounts a on a.subject_id = s.id
     where s.human_id = ? and s.cohort = 'member'
     order by a.open_actions = '[]', s.id limit 1`,
  ).get(humanId) as AccountRow | undefined
  return row && openAccount(row, keyring)
}

export function findMemberAccount(db: PortalDatabase, keyring: Keyring, subjectId: number) {
  const row = prepared(
    db,
    `select ${ACCOUNT_COLUMNS}
     from subjects s join member_accounts a on a.subject_id = s.id
     where a.subject_id = ?`,
  ).get(subjectId) as AccountRow | undefined
  return row && openAccount(row, keyring)
}

function openAccount(row: AccountRow, keyring: Keyring): MemberAccount {
  const exposed = unsealJson<SubjectRecord>({
    keyring,
    context: exposedContext(row.natural_id_index),
    sealed: row.record_sealed,
  })
  const { naturalId, legacyPasswordHash, ...exposedDetails } = exposed
  const details = row.details_sealed
    ? unsealJson<MemberDetails>({
        keyring,
        context: detailsContext(row.natural_id_index),
        sealed: row.details_sealed,
      })
    : exposedDetails
  const pendingEmail = row.pending_email_sealed
    ? unsealJson<string>({
        keyring,
        context: pendingEmailContext(row.natural_id_index),
        sealed: row.pending_email_sealed,
      })
    : undefined
  return {
    subjectId: row.subject_id,
    humanId: row.human_id,
    language: row.language,
    memberId: naturalId,
    openActions: JSON.parse(row.open_actions) as RequiredAction[],
    passwordHash: row.password_hash,
    legacyPasswordHash,
    details,
    pendingEmail,
    detailsConfirmedAt: row.details_confirmed_at,
    readyAt: row.ready_at,
  }
}

/** Open actions after one is done; `ready_at` is set when the last one closes. */
function closeAction(
  db: PortalDatabase,
  { subjectId, action, now }: { subjectId: number; action: RequiredAction; now: number },
) {
  prepared(
    db,
    `update member_accounts set
       open_actions = (select coalesce(json_group_array(value), '[]') from json_each(open_actions) where value != ?),
       updated_at = ?
     where subject_id = ?`,
  ).run(action, now, subjectId)
  markReadyIfDone(db, { subjectId, now })
}

function openAction(
  db: PortalDatabase,
  { subjectId, action, now }: { subjectId: number; action: RequiredAction; now: number },
) {
  prepared(
    db,
    `update member_accounts set
       open_actions = case when exists (select 1 from json_each(open_actions) where value = ?)
                      then open_actions else json_insert(open_actions, '$[#]', ?) end,
       ready_at = null, updated_at = ?
     where subject_id = ?`,
  ).run(action, action, now, subjectId)
}

function markReadyIfDone(db: PortalDatabase, { subjectId, now }: { subjectId: number; now: number }) {
  prepared(
    db,
    `update member_accounts set ready_at = coalesce(ready_at, ?)
     where subject_id = ? and open_actions = '[]'`,
  ).run(now, subjectId)
}

/**
 * The new password is in: its hash stored, the exposed hash erased from the
 * sealed record (nothing can compare against it any more), the step closed.
 */
export function saveNewPassword(
  db: PortalDatabase,
  keyring: Keyring,
  { subjectId, passwordHash, now }: { subjectId: number; passwordHash: string; now: number },
) {
  db.$client
    .transaction(() => {
      const row = prepared(db, 'select natural_id_index, record_sealed from subjects where id = ?').get(
        subjectId,
      ) as Pick<AccountRow, 'natural_id_index' | 'record_sealed'> | undefined
      if (!row) throw new Error('no such member')
      const context = exposedContext(row.natural_id_index)
      const { legacyPasswordHash: _erased, ...record } = unsealJson<SubjectRecord>({
        keyring,
        context,
        sealed: row.record_sealed,
      })
      prepared(db, 'update subjects set record_sealed = ?, updated_at = ? where id = ?').run(
        sealJson({ keyring, context, value: record }),
        now,
        subjectId,
      )
      prepared(
        db,
        'update member_accounts set password_hash = ?, password_changed_at = ?, updated_at = ? where subject_id = ?',
      ).run(passwordHash, now, now, subjectId)
      closeAction(db, { subjectId, action: 'reset_password', now })
    })
    .immediate()
}

/** A stronger hash of the same password (parameters raised since it was made). */
export function replacePasswordHash(
  db: PortalDatabase,
  { subjectId, passwordHash }: { subjectId: number; passwordHash: string },
) {
  prepared(db, 'update member_accounts set password_hash = ? where subject_id = ?').run(
    passwordHash,
    subjectId,
  )
}

/**
 * The member confirmed their details: stored sealed, the change history
 * written (field names only), the step closed. A new e-mail address waits,
 * sealed, until its code is entered; until then `verify_email` stays open.
 */
export function saveConfirmedDetails(
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
  db.$client
    .transaction(() => {
      const naturalIdIndex = naturalIdIndexOf(db, subjectId)
      prepared(
        db,
        `update member_accounts set details_sealed = ?, pending_email_sealed = ?, details_confirmed_at = ?, updated_at = ?
         where subject_id = ?`,
      ).run(
        sealJson({ keyring, context: detailsContext(naturalIdIndex), value: details }),
        pendingEmail === undefined
          ? null
          : sealJson({ keyring, context: pendingEmailContext(naturalIdIndex), value: pendingEmail }),
        now,
        now,
        subjectId,
      )
      prepared(
        db,
        'insert into detail_confirmations (subject_id, changed_fields, confirmed_at) values (?, ?, ?)',
      ).run(subjectId, JSON.stringify(changedFields), now)
      if (pendingEmail === undefined) closeAction(db, { subjectId, action: 'verify_email', now })
      else openAction(db, { subjectId, action: 'verify_email', now })
      closeAction(db, { subjectId, action: 'reconfirm_details', now })
    })
    .immediate()
}

/** The new address proved itself: it replaces the old one, and sign-in finds the member by it. */
export function confirmPendingEmail(
  db: PortalDatabase,
  keyring: Keyring,
  { subjectId, emailIndex, now }: { subjectId: number; emailIndex: Buffer; now: number },
) {
  db.$client
    .transaction(() => {
      const account = findMemberAccount(db, keyring, subjectId)
      if (!account?.pendingEmail) throw new Error('no address waiting')
      const naturalIdIndex = naturalIdIndexOf(db, subjectId)
      const details = { ...account.details, email: account.pendingEmail }
      prepared(
        db,
        `update member_accounts set details_sealed = ?, email_index = ?, pending_email_sealed = null, updated_at = ?
         where subject_id = ?`,
      ).run(
        sealJson({ keyring, context: detailsContext(naturalIdIndex), value: details }),
        emailIndex,
        now,
        subjectId,
      )
      prepared(
        db,
        'insert into detail_confirmations (subject_id, changed_fields, confirmed_at) values (?, ?, ?)',
      ).run(subjectId, JSON.stringify(['email']), now)
      closeAction(db, { subjectId, action: 'verify_email', now })
    })
    .immediate()
}

function naturalIdIndexOf(db: PortalDatabase, subjectId: number): Buffer {
  const index = prepared(db, 'select natural_id_index from subjects where id = ?').pluck().get(subjectId) as
    | Buffer
    | undefined
  if (!index) throw new Error('no such member')
  return index
}

export type ConfirmationEntry = { changedFields: string[]; confirmedAt: number }

export function listDetailConfirmations(db: PortalDatabase, subjectId: number): ConfirmationEntry[] {
  const rows = prepared(
    db,
    'select changed_fields, confirmed_at from detail_confirmations where subject_id = ? order by id',
  ).all(subjectId) as { changed_fields: string; confirmed_at: number }[]
  return rows.map((row) => ({ changedFields: JSON.parse(row.changed_fields), confirmedAt: row.confirmed_at }))
}

/** What the shop may know about a member: the steps still open. Nothing personal. */
export function findReadiness(
  db: PortalDatabase,
  memberIdIndex: Buffer,
): { openActions: RequiredAction[] } | undefined {
  const row = prepared(
    db,
    `select a.open_actions from subjects s join member_accounts a on a.subject_id = s.id
     where s.cohort = 'member' and s.natural_id_index = ?`,
  ).get(memberIdIndex) as { open_actions: string } | undefined
  return row && { openActions: JSON.parse(row.open_actions) as RequiredAction[] }
}

/** Every ready member's ID, in the order they became ready, one at a time (the list may be long). */
export function* readyMemberIds(db: PortalDatabase, keyring: Keyring): Generator<string> {
  const rows = db.$client
    .prepare(
      `select s.natural_id_index, s.record_sealed from member_accounts a join subjects s on s.id = a.subject_id
       where a.open_actions = '[]' order by a.ready_at, a.subject_id`,
    )
    .iterate() as IterableIterator<Pick<AccountRow, 'natural_id_index' | 'record_sealed'>>
  for (const row of rows) {
    yield unsealJson<SubjectRecord>({
      keyring,
      context: exposedContext(row.natural_id_index),
      sealed: row.record_sealed,
    }).naturalId
  }
}

export type SignInCandidate = { subjectId: number; humanId: number; passwordHash: string | null }

/**
 * The member who signs in with this address: by the confirmed address where
 * one replaced the exposed record's, else by the record's own.
 */
export function findMemberByEmail(db: PortalDatabase, emailIndex: Buffer): SignInCandidate | undefined {
  return prepared(
    db,
    `select a.subject_id as subjectId, s.human_id as humanId, a.password_hash as passwordHash
     from member_accounts a join subjects s on s.id = a.subject_id
     where a.email_index = ?
     union all
     select a.subject_id, s.human_id, a.password_hash
     from subjects s join member_accounts a on a.subject_id = s.id
     where s.email_index = ? and s.cohort = 'member' and a.email_index is null
     limit 1`,
  ).get(emailIndex, emailIndex) as SignInCandidate | undefined
}

/** The member keeps their old address after all: the new one is forgotten and its step closed. */
export function dropPendingEmail(db: PortalDatabase, { subjectId, now }: { subjectId: number; now: number }) {
  db.$client
    .transaction(() => {
      prepared(
        db,
        'update member_accounts set pending_email_sealed = null, updated_at = ? where subject_id = ?',
      ).run(now, subjectId)
      closeAction(db, { subjectId, action: 'verify_email', now })
    })
    .immediate()
}
