import { getConfig } from '~/config.server'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { chooseNoticeChannel } from '~/notify/notice-channel.server'
import { prepareNotice, printerRowOf } from '~/notify/notice-content.server'
import { hitLimit, type LimitCheck, limits } from '~/security/rate-limit.server'
import { appendAuditEntry } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import { findHuman } from '~db/humans'
import { replaceNotice } from '~db/notice-resends'
import { MessageReferenceTaken } from '~db/notifications'
import type { PortalCrypto } from '~db/portal-crypto'
import type { StaffSession } from './staff-session.server'

/**
 * "Send my notice again": the notice goes once more, with a new letter code
 * (the old one dies in the same transaction), to where the first went: the
 * channel and contact point are chosen from the records on file exactly as
 * `npm run notify` chose them, so nothing a caller or staff member says can
 * send it anywhere new. E-mail is queued urgent; paper waits for the next
 * printer file. Limited per case and per staff member, and audited either way.
 */

export type NoticeResendAnswer =
  | { kind: 'sent'; channel: 'email' | 'postcard' | 'handout' }
  | { kind: 'refused'; reason: 'not_notified' | 'unreachable' }
  | { kind: 'rateLimited'; limit: Extract<LimitCheck, { limited: true }> }

// A new message reference clashing with a stored one is a 1 in 10^13 chance; a few draws are plenty.
const REFERENCE_DRAWS = 5

export async function resendCaseNotice({
  db,
  crypto,
  session,
  humanId,
  clientIpIndex,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  session: Pick<StaffSession, 'staffId'>
  humanId: number
  clientIpIndex: Buffer
}): Promise<NoticeResendAnswer> {
  const audit = (on: PortalDatabase, outcome: 'success' | 'failure', detail: Record<string, string>) =>
    appendAuditEntry(on, {
      actor: { kind: 'staff', id: session.staffId },
      action: 'case.notice_resent',
      target: { kind: 'case', id: humanId },
      outcome,
      clientIpIndex,
      detail,
    })
  for (const [limit, key] of [
    [limits.noticeResendsPerStaff, `staff:${session.staffId}`],
    [limits.noticeResendsPerCase, `case:${humanId}`],
  ] as const) {
    const check = await hitLimit(db, crypto, limit, key)
    if (check.limited) {
      await audit(db, 'failure', { reason: 'rate_limited' })
      return { kind: 'rateLimited', limit: check }
    }
  }
  const human = await findHuman(db, crypto.keyring, humanId)
  const notice = human ? chooseNoticeChannel(human) : ({ channel: 'unreachable' } as const)
  if (notice.channel === 'unreachable') {
    await audit(db, 'failure', { reason: 'unreachable' })
    return { kind: 'refused', reason: 'unreachable' }
  }
  const portalAddress = printedPortalAddress(getConfig().PUBLIC_URL)
  for (let draw = 1; ; draw++) {
    const prepared = prepareNotice({ crypto, portalAddress, purpose: 'notice_resend' }, notice)
    try {
      return await withTransaction(db, async (tx) => {
        const replaced = await replaceNotice(tx, crypto.keyring, {
          ...prepared.row,
          message: { ...prepared.row.message, channel: notice.channel },
          printerRow: printerRowOf(portalAddress, prepared),
        })
        if (!replaced) {
          await audit(tx, 'failure', { reason: 'not_notified' })
          return { kind: 'refused', reason: 'not_notified' } as const
        }
        await audit(tx, 'success', { channel: notice.channel })
        return { kind: 'sent', channel: notice.channel } as const
      })
    } catch (error) {
      if (!(error instanceof MessageReferenceTaken) || draw >= REFERENCE_DRAWS) throw error
    }
  }
}
