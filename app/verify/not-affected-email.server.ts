import type { Language } from '~/i18n/config'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import {
  type EmailPart,
  languagesFirst,
  type RenderedEmail,
  renderEmailLayout,
} from '~/mail/email-layout.server'
import { mailT } from '~/mail/mail-i18n.server'

/**
 * The answer to an e-mail check for an address nobody in the data holds: it is
 * not in the affected data, and what to do with a message that still claims to
 * be from us. No link and no message reference (it is no one's message in the
 * data): the portal's address and the message check's, as text to type.
 */

export type NotAffectedEmailInput = { language: Language; portalAddress: string }

export function renderNotAffectedEmail(input: NotAffectedEmailInput): RenderedEmail {
  return renderEmailLayout({
    language: input.language,
    subject: mailT(input.language, 'email')('notAffected.subject'),
    parts: languagesFirst(input.language).map((language) => notAffectedPart(language, input)),
  })
}

function notAffectedPart(language: Language, input: NotAffectedEmailInput): EmailPart {
  const t = mailT(language, 'email')
  return {
    language,
    title: t('notAffected.title'),
    sections: [
      {
        blocks: [
          { kind: 'paragraph', text: t('notAffected.intro') },
          { kind: 'paragraph', text: t('notAffected.notInData') },
          { kind: 'paragraph', text: t('notAffected.notYou') },
        ],
      },
      {
        heading: t('notAffected.suspiciousHeading'),
        blocks: [
          { kind: 'paragraph', text: t('notAffected.suspicious') },
          { kind: 'code', value: `${input.portalAddress}/message-check` },
          { kind: 'paragraph', text: t('emailCode.neverAsk') },
        ],
      },
      {
        heading: t('notAffected.contactHeading'),
        blocks: [
          { kind: 'paragraph', text: t('notAffected.contact') },
          { kind: 'code', value: SUPPORT_EMAIL },
        ],
      },
      {
        heading: t('emailCode.portalHeading'),
        blocks: [
          { kind: 'paragraph', text: t('emailCode.portalIntro') },
          { kind: 'code', value: input.portalAddress },
        ],
      },
    ],
  }
}
