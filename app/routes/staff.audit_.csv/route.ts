import { type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { exportAuditCsv } from '~/staff/staff-audit-export.server'
import { requireStaff } from '~/staff/staff-session.server'

/** The filtered audit log as a CSV download, for supervisors; the export is itself audited. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  const session = await requireStaff(request)
  // A download has no page to say why not: an agent is sent to the log's page, whose 403 does.
  if (session.role !== 'supervisor') {
    return redirect('/staff/audit', { headers: { 'Cache-Control': 'no-store' } })
  }
  const exported = await exportAuditCsv({
    db: db(),
    url,
    staffId: session.staffId,
    clientIpIndex: auditClientIpIndex(context, portalCrypto().index),
  })
  if (exported.ok) return exported.response
  // The page reads the same query and says what to correct, field by field.
  return redirect(`/staff/audit${url.search}`, { headers: { 'Cache-Control': 'no-store' } })
}
