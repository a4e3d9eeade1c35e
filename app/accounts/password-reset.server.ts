import type { Config } from '~/config.server'
import type { Language } from '~/i18n/config'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { queueEmailMessage } from '~/mail/queue-email.server'
import type { PortalDatabase } from '~db/database'
import { saveNewPassword } from '~db/member-account-updates'
import type { MemberAccount } from '~db/member-accounts'
import type { PortalCrypto } from '~db/portal-crypto'
import { hashPassword } from './password-hash.server'
import { evaluateMemberPassword, type PasswordVerdict } from './password-policy.server'

export type PasswordResetOutcome = { ok: true } | { ok: false; verdict: PasswordVerdict }

/**
 * A member's new password: judged by the policy (the exposed one, common and
 * breached ones, their own details, weak ones are refused), stored as argon2id,
 * the exposed hash erased, and a notice queued to their address. Ending the
 * member's other sessions is the caller's part, since it needs the request.
 */
export async function resetPassword({
  db,
  crypto,
  config,
  account,
  password,
  language,
  now = Date.now(),
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  config: Pick<Config, 'PASSWORD_MIN_LENGTH' | 'PWNED_PASSWORDS_URL' | 'PUBLIC_URL'>
  account: MemberAccount
  password: string
  language: Language
  now?: number
}): Promise<PasswordResetOutcome> {
  const verdict = await evaluateMemberPassword({ password, account, config })
  if (!verdict.ok) return { ok: false, verdict }
  const passwordHash = await hashPassword(verdict.normalised)
  await saveNewPassword(db, crypto.keyring, { subjectId: account.subjectId, passwordHash, now })
  const to = account.details.email
  if (to) {
    await queueEmailMessage({
      db,
      crypto,
      humanId: account.humanId,
      purpose: 'account_notice',
      to,
      content: (messageReference) => ({
        kind: 'account_notice',
        to,
        input: {
          language,
          notice: 'passwordChanged',
          at: new Date(now).toISOString(),
          messageReference,
          portalAddress: printedPortalAddress(config.PUBLIC_URL),
        },
      }),
    })
  }
  return { ok: true }
}
