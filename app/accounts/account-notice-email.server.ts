import type { Language } from '~/i18n/config'
import { dateFormat } from '~/i18n/date-format'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import {
  type EmailPart,
  languagesFirst,
  type RenderedEmail,
  renderEmailLayout,
} from '~/mail/email-layout.server'
import { mailT } from '~/mail/mail-i18n.server'

/**
 * Notices about the account itself: the password was changed, or the address
 * was replaced (sent to the old one). They say what happened and when, and
 * whom to contact if it was not the reader; like every mail here, no link.
 */

export type AccountNotice = 'passwordChanged' | 'emailChanged'

export type AccountNoticeEmailInput = {
  language: Language
  notice: AccountNotice
  /** When it happened, ISO 8601. */
  at: string
  messageReference: string
  portalAddress: string
}

export function renderAccountNoticeEmail(input: AccountNoticeEmailInput): RenderedEmail {
  return renderEmailLayout({
    language: input.language,
    subject: mailT(input.language, 'email')(`accountNotice.${input.notice}.subject`),
    parts: languagesFirst(input.language).map((language) => noticePart(language, input)),
  })
}

function noticePart(language: Language, input: AccountNoticeEmailInput): EmailPart {
  const t = mailT(language, 'email')
  const moment = new Date(input.at)
  const when = t('accountNotice.when', {
    date: dateFormat(language, { year: 'numeric', month: 'long', day: 'numeric' }).format(moment),
    time: dateFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(moment),
  })
  return {
    language,
    title: t(`accountNotice.${input.notice}.title`),
    sections: [
      {
        blocks: [
          { kind: 'paragraph', text: t(`accountNotice.${input.notice}.body`, { when }) },
          { kind: 'paragraph', text: t('accountNotice.ifYou') },
        ],
      },
      {
        heading: t('accountNotice.notYouHeading'),
        blocks: [
          { kind: 'paragraph', text: t('accountNotice.notYou') },
          { kind: 'code', value: SUPPORT_EMAIL },
          { kind: 'paragraph', text: t('emailCode.neverAsk') },
        ],
      },
      {
        heading: t('emailCode.portalHeading'),
        blocks: [
          { kind: 'paragraph', text: t('emailCode.portalIntro') },
          { kind: 'code', value: input.portalAddress },
        ],
      },
      { heading: t('emailCode.referenceHeading'), blocks: [{ kind: 'code', value: input.messageReference }] },
    ],
  }
}
