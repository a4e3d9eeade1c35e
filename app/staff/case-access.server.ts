import { getConfig } from '~/config.server'
import { appendAuditEntry } from '~db/audit-log'
import type { LookupDigests } from '~db/blind-index'
import { casesOpenedSince, revealsSince } from '~db/case-activity'
import { listEmailIndexesOfHuman } from '~db/case-search'
import { type PortalDatabase, withTransaction } from '~db/database'
import { humanExists } from '~db/humans'
import { normaliseEmail } from '~db/normalise'
import type { PortalCrypto } from '~db/portal-crypto'
import type { StaffMemberRole } from '~db/schema'
import { listStaffMembers, staffMembersVersion } from '~db/staff-members'

/**
 * Who may open a case, and how many: the insider safeguards. Nobody opens
 * their own record (a customer who works here gets help from a colleague,
 * like anyone else); an agent never opens a colleague's (a supervisor does,
 * and the log shows it); and each staff member opens at most
 * CASE_OPENS_PER_HOUR different cases and reveals at most
 * CASE_REVEALS_PER_HOUR values in any hour. Every open, and every refusal,
 * is an audit entry: the log holds every look.
 */

const HOUR_MS = 60 * 60 * 1000

export type CaseViewer = { staffId: string; role: StaffMemberRole; clientIpIndex: Buffer }

export type CaseRefusal = 'notFound' | 'ownRecord' | 'colleagueRecord' | 'overBudget'

type Context = { db: PortalDatabase; crypto: PortalCrypto; viewer: CaseViewer; now?: number }

/**
 * Whose staff record a case is, if anyone's: the staff members whose address
 * (under the customers' e-mail index, not the staff one) one of the case's
 * records holds, under the current index key or the previous one: a record
 * a rotation has not reached yet is still its owner's. Staff are few; their
 * addresses are opened per question.
 */
export async function staffOwningCase(
  { db, crypto }: Pick<Context, 'db' | 'crypto'>,
  humanId: number,
): Promise<string[]> {
  const held = await listEmailIndexesOfHuman(db, humanId)
  if (held.length === 0) return []
  return (await staffCustomerDigests({ db, crypto }))
    .filter(({ digests }) => held.some((index) => digests.some((digest) => index.equals(digest))))
    .map(({ staffId }) => staffId)
}

// Opening every account per search result cost 8-19 ms with 300 staff (bench:staff):
// the digests are kept per process until an account is added or changed.
const digestCache = new WeakMap<
  PortalCrypto,
  { version: string; digests: { staffId: string; digests: LookupDigests }[] }
>()

async function staffCustomerDigests({ db, crypto }: Pick<Context, 'db' | 'crypto'>) {
  const version = await staffMembersVersion(db)
  const cached = digestCache.get(crypto)
  if (cached?.version === version) return cached.digests
  const digests = (await listStaffMembers(db, crypto.keyring)).flatMap((member) => {
    const matched = normaliseEmail(member.email)
    return matched === undefined ? [] : [{ staffId: member.id, digests: crypto.lookup('email', matched) }]
  })
  digestCache.set(crypto, { version, digests })
  return digests
}

/** Why this viewer may not see this case, or undefined when they may (no budget counted). */
export async function caseBarred(context: Pick<Context, 'db' | 'crypto' | 'viewer'>, humanId: number) {
  const owners = await staffOwningCase(context, humanId)
  if (owners.includes(context.viewer.staffId)) return 'ownRecord' as const
  if (owners.length > 0 && context.viewer.role !== 'supervisor') return 'colleagueRecord' as const
  return undefined
}

/**
 * Whether a staff member may see a case now: refused when it does not exist,
 * is theirs or (for an agent) a colleague's, or when it would be one case
 * more than their hourly budget. Re-opening a case already opened this hour
 * (a reload, the page after an action) costs nothing. Writes nothing.
 */
export async function caseAccess(context: Context, humanId: number): Promise<CaseRefusal | undefined> {
  const { db, viewer, now = Date.now() } = context
  if (!(await humanExists(db, humanId))) return 'notFound'
  const barred = await caseBarred(context, humanId)
  if (barred) return barred
  const opened = await casesOpenedSince(db, { staffId: viewer.staffId, since: now - HOUR_MS, humanId })
  return !opened.includes && opened.count >= getConfig().CASE_OPENS_PER_HOUR ? 'overBudget' : undefined
}

/**
 * Opens a case (see `caseAccess`) and writes it down: `case.opened`, or the
 * refusal, with `case.budget_exceeded` each time a budget stops someone (what
 * supervisors' alerts count). A case ID nobody has is logged too: a run of
 * them is someone guessing.
 */
export async function openCase(
  context: Context,
  humanId: number,
): Promise<{ ok: true } | { ok: false; reason: CaseRefusal }> {
  return withTransaction(context.db, async (tx) => {
    const refused = await caseAccess({ ...context, db: tx }, humanId)
    if (refused === 'overBudget') {
      const limit = getConfig().CASE_OPENS_PER_HOUR
      await audit(tx, context.viewer, 'case.budget_exceeded', humanId, 'denied', {
        budget: 'opens',
        limit,
      })
    }
    await audit(
      tx,
      context.viewer,
      'case.opened',
      humanId,
      refused ? 'denied' : 'success',
      refused ? { reason: refused } : {},
    )
    return refused ? { ok: false as const, reason: refused } : { ok: true as const }
  })
}

/** Whether one more reveal is within the hour's budget; past it, the refusal is logged and alerted. */
export async function withinRevealBudget(context: Context, humanId: number): Promise<boolean> {
  const { db, viewer, now = Date.now() } = context
  const budget = getConfig().CASE_REVEALS_PER_HOUR
  if ((await revealsSince(db, { staffId: viewer.staffId, since: now - HOUR_MS })) < budget) return true
  await withTransaction(db, async (tx) => {
    await audit(tx, viewer, 'case.budget_exceeded', humanId, 'denied', {
      budget: 'reveals',
      limit: budget,
    })
  })
  return false
}

export async function audit(
  db: PortalDatabase,
  viewer: CaseViewer,
  action: 'case.opened' | 'case.budget_exceeded' | 'case.field_revealed' | 'case.searched',
  humanId: number | undefined,
  outcome: 'success' | 'denied',
  detail: Record<string, string | number>,
) {
  await appendAuditEntry(db, {
    actor: { kind: 'staff', id: viewer.staffId },
    action,
    target: humanId === undefined ? undefined : { kind: 'case', id: humanId },
    outcome,
    clientIpIndex: viewer.clientIpIndex,
    detail,
  })
}
