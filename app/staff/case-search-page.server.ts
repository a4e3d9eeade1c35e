import type { AppLoadContext } from '@remix-run/node'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { firstErrors, readForm } from '~/forms/bounded-form'
import { hitLimit, limits } from '~/security/rate-limit.server'
import type { PortalDatabase } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import type { CaseViewer } from './case-access.server'
import { type CaseSearchAnswer, searchCases } from './case-search.server'
import { type CaseSearchKind, caseSearchForm, readCaseKey } from './case-search-form.server'
import type { StaffSession } from './staff-session.server'

/**
 * What `/staff/cases` answers to a posted search: a limit, a box to correct,
 * or the results (an empty list for anyone not in the data, exactly as for a
 * value nobody holds). The typed values go back into the form, bounded.
 */

export type TypedSearch = { kind: string; value: string; birthDate: string }
export type SearchFieldErrors = Partial<Record<'kind' | 'value' | 'birthDate', string>>

export type CaseSearchPageAnswer =
  | { kind: 'rateLimited'; typed: TypedSearch; limit: { retryAfterSeconds: number; retryAt: Date } }
  | { kind: 'invalid'; typed: TypedSearch; errors: SearchFieldErrors }
  | ({ kind: 'found'; typed: TypedSearch; searchKind: CaseSearchKind } & CaseSearchAnswer)

function typedOf(form: FormData): TypedSearch {
  const value = (name: keyof typeof caseSearchForm.fields) => {
    const given = form.get(name)
    return typeof given === 'string' ? given.slice(0, caseSearchForm.fields[name].max) : ''
  }
  return { kind: value('kind'), value: value('value'), birthDate: value('birthDate') }
}

export function caseViewer({
  session,
  context,
  crypto,
}: {
  session: StaffSession
  context: AppLoadContext
  crypto: PortalCrypto
}): CaseViewer {
  return {
    staffId: session.staffId,
    role: session.role,
    clientIpIndex: auditClientIpIndex(context, crypto.index),
  }
}

export async function runCaseSearch({
  db,
  crypto,
  session,
  context,
  form,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  session: StaffSession
  context: AppLoadContext
  form: FormData
}): Promise<CaseSearchPageAnswer> {
  const typed = typedOf(form)
  const parsed = readForm(form, caseSearchForm)
  if (!parsed.success) {
    const errors = firstErrors<keyof SearchFieldErrors>(parsed.error.issues)
    return { kind: 'invalid', typed, errors }
  }
  const read = readCaseKey(crypto.lookup, parsed.data)
  if (!read.ok) return { kind: 'invalid', typed, errors: { [read.field]: read.error } }
  // Counted once the search is one: a typo corrected costs nothing.
  const limit = await hitLimit(db, crypto, limits.caseSearchesPerStaff, `staff:${session.staffId}`)
  if (limit.limited) return { kind: 'rateLimited', typed, limit }
  const viewer = caseViewer({ session, context, crypto })
  const answer = await searchCases({ db, crypto, viewer }, { kind: parsed.data.kind, key: read.key })
  return { kind: 'found', typed, searchKind: parsed.data.kind, ...answer }
}
