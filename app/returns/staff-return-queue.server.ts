import type { AppLoadContext } from '@remix-run/node'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { boundedForm, choiceField, firstErrors, readForm } from '~/forms/bounded-form'
import type { StaffSession } from '~/staff/staff-session.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { countReturnsByStatus, listReturnQueue, type ReturnQueueRow } from '~db/return-requests'
import { RETURN_REASONS, RETURN_STATUSES, type ReturnStatus } from '~db/schema'

/**
 * `/staff/returns`: the return requests waiting for staff, oldest first,
 * filtered by status, reason and age. The filter is a GET form, so a view
 * can be bookmarked and reloaded; each view is one audit entry holding the
 * filter's words and nothing else.
 */

/** The most rows one view lists; the count says how many more match. */
export const RETURN_QUEUE_LIMIT = 100

/** `open`: everything staff still have to act on; `all`: the closed ones too. */
export const QUEUE_STATUS_CHOICES = ['open', ...RETURN_STATUSES, 'all'] as const
export const QUEUE_REASON_CHOICES = ['any', ...RETURN_REASONS] as const
// Words rather than `2d`: they go into the audit log, whose tokens start with a letter.
export const QUEUE_AGE_CHOICES = ['any', 'over2days', 'over7days'] as const

export type QueueFilter = {
  status: (typeof QUEUE_STATUS_CHOICES)[number]
  reason: (typeof QUEUE_REASON_CHOICES)[number]
  age: (typeof QUEUE_AGE_CHOICES)[number]
}

const OPEN_STATUSES: readonly ReturnStatus[] = ['new', 'in_progress', 'waiting_for_customer']
const DAY_MS = 24 * 60 * 60 * 1000
const AGE_MS = { any: undefined, over2days: 2 * DAY_MS, over7days: 7 * DAY_MS } as const

export const DEFAULT_QUEUE_FILTER: QueueFilter = { status: 'open', reason: 'any', age: 'any' }

const queueFilterForm = boundedForm({
  status: choiceField(QUEUE_STATUS_CHOICES, { invalid: 'returnQueue.errors.status', fallback: 'open' }),
  reason: choiceField(QUEUE_REASON_CHOICES, { invalid: 'returnQueue.errors.reason', fallback: 'any' }),
  age: choiceField(QUEUE_AGE_CHOICES, { invalid: 'returnQueue.errors.age', fallback: 'any' }),
})

export type QueueRow = Pick<
  ReturnQueueRow,
  'reference' | 'reason' | 'status' | 'createdAt' | 'photoCount'
> & {
  linkedToCase: boolean
}

export type QueuePage =
  | {
      ok: true
      filter: QueueFilter
      rows: QueueRow[]
      total: number
      counts: Record<ReturnStatus, number>
    }
  | {
      ok: false
      filter: QueueFilter
      errors: Partial<Record<keyof QueueFilter, string>>
      counts: Record<ReturnStatus, number>
    }

function statusesOf(choice: QueueFilter['status']): readonly ReturnStatus[] {
  if (choice === 'open') return OPEN_STATUSES
  if (choice === 'all') return RETURN_STATUSES
  return [choice]
}

/** The query string as a form: an empty value counts as absent, as a form left alone sends it. */
function formOf(params: URLSearchParams) {
  const form = new FormData()
  for (const name of Object.keys(queueFilterForm.fields)) {
    const value = params.get(name)
    if (value !== null && value !== '') form.set(name, value)
  }
  return form
}

export async function viewReturnQueue({
  db,
  crypto,
  session,
  context,
  params,
  now = Date.now(),
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  session: StaffSession
  context: AppLoadContext
  params: URLSearchParams
  now?: number
}): Promise<QueuePage> {
  const parsed = readForm(formOf(params), queueFilterForm)
  const counts = await countReturnsByStatus(db)
  if (!parsed.success) {
    return {
      ok: false,
      filter: DEFAULT_QUEUE_FILTER,
      errors: firstErrors<keyof QueueFilter>(parsed.error.issues),
      counts,
    }
  }
  const filter: QueueFilter = parsed.data
  const age = AGE_MS[filter.age]
  return withTransaction(db, async (tx) => {
    const listed = await listReturnQueue(tx, {
      statuses: statusesOf(filter.status),
      reason: filter.reason === 'any' ? undefined : filter.reason,
      filedBefore: age === undefined ? undefined : now - age,
      limit: RETURN_QUEUE_LIMIT,
    })
    await appendAuditEntry(tx, {
      actor: { kind: 'staff', id: session.staffId },
      action: 'return.queue_viewed',
      outcome: 'success',
      clientIpIndex: auditClientIpIndex(context, crypto.index),
      detail: { ...filter, listed: listed.rows.length },
    })
    const rows = listed.rows.map(
      ({ reference, reason, status, createdAt, photoCount, humanId }): QueueRow => ({
        reference,
        reason,
        status,
        createdAt,
        photoCount,
        linkedToCase: humanId !== null,
      }),
    )
    return { ok: true as const, filter, rows, total: listed.total, counts }
  })
}
