import {
  type AccountNoticeEmailInput,
  renderAccountNoticeEmail,
} from '~/accounts/account-notice-email.server'
import { type NotificationEmailInput, renderNotificationEmail } from '~/notify/notification-email.server'
import {
  type ReturnCodeEmailInput,
  type ReturnReceivedEmailInput,
  type ReturnUpdateEmailInput,
  renderReturnCodeEmail,
  renderReturnReceivedEmail,
  renderReturnUpdateEmail,
} from '~/returns/return-email.server'
import { type EmailCodeEmailInput, renderEmailCodeEmail } from '~/verify/email-code-email.server'
import { type NotAffectedEmailInput, renderNotAffectedEmail } from '~/verify/not-affected-email.server'

/**
 * What the outbox stores for each e-mail: its recipient and the inputs of its
 * template, sealed. It is rendered when sent, so a million queued notices
 * take a few hundred bytes each instead of their full bilingual bodies.
 */
export type EmailContent =
  | { kind: 'notification'; to: string; input: NotificationEmailInput }
  | { kind: 'email_code'; to: string; input: EmailCodeEmailInput }
  | { kind: 'account_notice'; to: string; input: AccountNoticeEmailInput }
  | { kind: 'not_affected'; to: string; input: NotAffectedEmailInput }
  | { kind: 'return_code'; to: string; input: ReturnCodeEmailInput }
  | { kind: 'return_received'; to: string; input: ReturnReceivedEmailInput }
  | { kind: 'return_update'; to: string; input: ReturnUpdateEmailInput }

export type RenderedEmail = { to: string; subject: string; text: string; html: string }

export function renderEmail(content: EmailContent): RenderedEmail {
  switch (content.kind) {
    case 'notification':
      return { to: content.to, ...renderNotificationEmail(content.input) }
    case 'email_code':
      return { to: content.to, ...renderEmailCodeEmail(content.input) }
    case 'account_notice':
      return { to: content.to, ...renderAccountNoticeEmail(content.input) }
    case 'not_affected':
      return { to: content.to, ...renderNotAffectedEmail(content.input) }
    case 'return_code':
      return { to: content.to, ...renderReturnCodeEmail(content.input) }
    case 'return_received':
      return { to: content.to, ...renderReturnReceivedEmail(content.input) }
    case 'return_update':
      return { to: content.to, ...renderReturnUpdateEmail(content.input) }
  }
}
