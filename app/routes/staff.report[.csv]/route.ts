import { type LoaderFunctionArgs, redirect } from '@remix-run/node'
import { auditClientIpIndex } from '~/audit/audit-client-ip.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { exportBreachReport } from '~/staff/breach-report.server'
import { requireStaff } from '~/staff/staff-session.server'

/** The breach report's figures as a CSV download, for supervisors; the download is itself audited. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const session = await requireStaff(request)
  // A download has no page to say why not: an agent is sent to the report's page, whose 403 does.
  if (session.role !== 'supervisor') {
    return redirect('/staff/report', { headers: { 'Cache-Control': 'no-store' } })
  }
  return exportBreachReport({
    db: db(),
    staffId: session.staffId,
    clientIpIndex: auditClientIpIndex(context, portalCrypto().index),
  })
}
