import type { LookupDigests } from './blind-index'
import { type PortalDatabase, prepared } from './database'
import { listOpenActions } from './member-required-actions'
import type { RequiredAction } from './schema'
import { type Keyring, unsealJson } from './seal'
import { type SubjectRecord, subjectRecordContext } from './subject-record'

/**
 * Members' accounts as the app reads them: opened (unsealed) for the member
 * pages, and the lookup sign-in makes by e-mail address. The subject's sealed
 * record stays what was exposed (minus the legacy hash once a new password is
 * set); confirmed details and a pending address are sealed apart, under the
 * contexts below. Changes are in member-account-updates.ts.
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
  details_sealed: Buffer | null
  pending_email_sealed: Buffer | null
  details_confirmed_at: number | null
  ready_at: number | null
}

export const detailsContext = (subjectId: number) => `member_accounts:${subjectId}:details`
export const pendingEmailContext = (subjectId: number) => `member_accounts:${subjectId}:pending_email`

const ACCOUNT_COLUMNS = `
  a.subject_id, s.human_id, s.language, s.natural_id_index, s.record_sealed, a.password_hash,
  a.details_sealed, a.pending_email_sealed, a.details_confirmed_at, a.ready_at`

/**
 * The member account of a human, if they have one. Should a human hold two
 * member records, the one with steps still open comes first.
 */
export async function findMemberAccountOfHuman(
  db: PortalDatabase,
  keyring: Keyring,
  humanId: number,
): Promise<MemberAccount | undefined> {
  const row = await prepared<AccountRow>(
    db,
    `select ${ACCOUNT_COLUMNS}
     from subjects s join member_accounts a on a.subject_id = s.id
     where s.human_id = ? and s.cohort = 'member'
     order by exists (select 1 from member_required_actions r where r.subject_id = a.subject_id) desc, s.id
     limit 1`,
  ).get(humanId)
  return row && openAccount(db, row, keyring)
}

export async function findMemberAccount(
  db: PortalDatabase,
  keyring: Keyring,
  subjectId: number,
): Promise<MemberAccount | undefined> {
  const row = await prepared<AccountRow>(
    db,
    `select ${ACCOUNT_COLUMNS}
     from subjects s join member_accounts a on a.subject_id = s.id
     where a.subject_id = ?`,
  ).get(subjectId)
  return row && openAccount(db, row, keyring)
}

async function openAccount(db: PortalDatabase, row: AccountRow, keyring: Keyring): Promise<MemberAccount> {
  const exposed = unsealJson<SubjectRecord>({
    keyring,
    context: subjectRecordContext(row.subject_id),
    sealed: row.record_sealed,
  })
  const { naturalId, legacyPasswordHash, ...exposedDetails } = exposed
  const details = row.details_sealed
    ? unsealJson<MemberDetails>({
        keyring,
        context: detailsContext(row.subject_id),
        sealed: row.details_sealed,
      })
    : exposedDetails
  const pendingEmail = row.pending_email_sealed
    ? unsealJson<string>({
        keyring,
        context: pendingEmailContext(row.subject_id),
        sealed: row.pending_email_sealed,
      })
    : undefined
  return {
    subjectId: row.subject_id,
    humanId: row.human_id,
    language: row.language,
    memberId: naturalId,
    openActions: await listOpenActions(db, row.subject_id),
    passwordHash: row.password_hash,
    legacyPasswordHash,
    details,
    pendingEmail,
    detailsConfirmedAt: row.details_confirmed_at,
    readyAt: row.ready_at,
  }
}

export type SignInCandidate = { subjectId: number; humanId: number; passwordHash: string | null }

/**
 * The member who signs in with this address: by the confirmed address where
 * one replaced the exposed record's, else by the record's own. Found by the
 * address's digests under the current index key and the previous one.
 */
export async function findMemberByEmail(
  db: PortalDatabase,
  emailDigests: LookupDigests,
): Promise<SignInCandidate | undefined> {
  const [current, previous] = emailDigests
  return prepared<SignInCandidate>(
    db,
    `select a.subject_id as "subjectId", s.human_id as "humanId", a.password_hash as "passwordHash"
     from member_accounts a join subjects s on s.id = a.subject_id
     where a.email_index in (?, ?)
     union all
     select a.subject_id, s.human_id, a.password_hash
     from subjects s join member_accounts a on a.subject_id = s.id
     where s.email_index in (?, ?) and s.cohort = 'member' and a.email_index is null
     limit 1`,
  ).get(current, previous, current, previous)
}

/** The member who signs in with this member ID (its digests under the current index key and the previous one). */
export async function findMemberByMemberId(
  db: PortalDatabase,
  memberIdDigests: LookupDigests,
): Promise<SignInCandidate | undefined> {
  return prepared<SignInCandidate>(
    db,
    `select a.subject_id as "subjectId", s.human_id as "humanId", a.password_hash as "passwordHash"
     from subjects s join member_accounts a on a.subject_id = s.id
     where s.natural_id_index in (?, ?) and s.cohort = 'member'
     limit 1`,
  ).get(...memberIdDigests)
}
