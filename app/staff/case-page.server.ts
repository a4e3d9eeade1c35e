import type { AppLoadContext } from '@remix-run/node'
import { firstErrors, readForm } from '~/forms/bounded-form'
import type { PortalDatabase } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { type CaseRefusal, caseAccess, openCase } from './case-access.server'
import { type RevealOutcome, revealField, revealForm } from './case-reveal.server'
import { caseViewer } from './case-search-page.server'
import { type CaseView, loadCaseView } from './case-view.server'
import type { StaffSession } from './staff-session.server'

/**
 * `/staff/cases/:humanId`: opening the case (every open audited, the
 * insider rules applied) and revealing one value on it.
 */

type PageContext = {
  db: PortalDatabase
  crypto: PortalCrypto
  session: StaffSession
  context: AppLoadContext
  humanIdParam: string | undefined
}

// A case ID is the portal's own row number: digits only, and never longer than any row number can be.
const HUMAN_ID = /^[1-9]\d{0,14}$/

export function humanIdOf(param: string | undefined) {
  return param !== undefined && param.length <= 15 && HUMAN_ID.test(param) ? Number(param) : undefined
}

export async function openCasePage({
  db,
  crypto,
  session,
  context,
  humanIdParam,
}: PageContext): Promise<{ ok: true; view: CaseView } | { ok: false; reason: CaseRefusal }> {
  const humanId = humanIdOf(humanIdParam)
  if (humanId === undefined) return { ok: false, reason: 'notFound' }
  const viewer = caseViewer({ session, context, crypto })
  const opened = await openCase({ db, crypto, viewer }, humanId)
  if (!opened.ok) return opened
  return { ok: true, view: await loadCaseView({ db, crypto }, humanId) }
}

export type RevealAnswer =
  | ({ kind: 'revealed' } & Extract<RevealOutcome, { ok: true }>)
  | { kind: 'refused'; reason: CaseRefusal }
  | { kind: 'invalid'; errors: Partial<Record<'ref' | 'reason' | 'reasonText', string>> }

export async function revealOnCase({
  db,
  crypto,
  session,
  context,
  humanIdParam,
  form,
}: PageContext & { form: FormData }): Promise<RevealAnswer> {
  const humanId = humanIdOf(humanIdParam)
  if (humanId === undefined) return { kind: 'refused', reason: 'notFound' }
  const viewer = caseViewer({ session, context, crypto })
  // Checked, not logged: the page shown after the reveal logs the open.
  const refused = await caseAccess({ db, crypto, viewer }, humanId)
  if (refused) return { kind: 'refused', reason: refused }
  const parsed = readForm(form, revealForm)
  if (!parsed.success) {
    const errors = firstErrors<'ref' | 'reason' | 'reasonText'>(parsed.error.issues)
    return { kind: 'invalid', errors }
  }
  const outcome = await revealField({ db, crypto, viewer }, { humanId, ...parsed.data })
  if (outcome.ok) return { kind: 'revealed', ...outcome }
  return outcome.reason === 'overBudget'
    ? { kind: 'refused', reason: 'overBudget' }
    : { kind: 'invalid', errors: { ref: 'fieldRequired' } }
}
