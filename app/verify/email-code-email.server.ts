import type { Language } from '~/i18n/config'
import {
  type EmailPart,
  languagesFirst,
  type RenderedEmail,
  renderEmailLayout,
} from '~/mail/email-layout.server'
import { mailT } from '~/mail/mail-i18n.server'

/** The e-mail carrying a 6-digit confirmation code: no link, the portal's address as text. */

export type EmailCodeEmailInput = {
  language: Language
  code: string
  messageReference: string
  portalAddress: string
}

export function renderEmailCodeEmail(input: EmailCodeEmailInput): RenderedEmail {
  return renderEmailLayout({
    language: input.language,
    subject: mailT(input.language, 'email')('emailCode.subject'),
    parts: languagesFirst(input.language).map((language) => emailCodePart(language, input)),
  })
}

function emailCodePart(language: Language, input: EmailCodeEmailInput): EmailPart {
  const t = mailT(language, 'email')
  return {
    language,
    title: t('emailCode.title'),
    sections: [
      { blocks: [{ kind: 'paragraph', text: t('emailCode.intro') }] },
      {
        heading: t('emailCode.codeHeading'),
        blocks: [
          { kind: 'code', value: input.code },
          { kind: 'paragraph', text: t('emailCode.expires') },
          { kind: 'paragraph', text: t('emailCode.notYou') },
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
