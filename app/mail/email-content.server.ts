import { type NotificationEmailInput, renderNotificationEmail } from '~/notify/notification-email.server'

/**
 * What the outbox stores for each e-mail: its recipient and the inputs of its
 * template, sealed. It is rendered when sent, so a million queued notices
 * take a few hundred bytes each instead of their full bilingual bodies.
 */
export type EmailContent = { kind: 'notification'; to: string; input: NotificationEmailInput }

export type RenderedEmail = { to: string; subject: string; text: string; html: string }

export function renderEmail(content: EmailContent): RenderedEmail {
  switch (content.kind) {
    case 'notification':
      return { to: content.to, ...renderNotificationEmail(content.input) }
  }
}
