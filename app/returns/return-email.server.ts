import type { Language } from '~/i18n/config'
import { RETURNS_EMAIL } from '~/incident/incident-facts'
import {
  type EmailPart,
  type EmailSection,
  languagesFirst,
  type RenderedEmail,
  renderEmailLayout,
} from '~/mail/email-layout.server'
import { mailT } from '~/mail/mail-i18n.server'
import type { ReturnReason, ReturnStatus } from '~db/schema'

/**
 * The e-mails about a return request: the code that confirms the contact
 * address (to file a request, or to see one's status), the receipt with the
 * reference, and each status change with the staff's note. No links: the
 * portal's address and the reference as text to type.
 */

export type ReturnCodeEmailInput = {
  language: Language
  code: string
  purpose: 'file' | 'status'
  portalAddress: string
}

export type ReturnReceivedEmailInput = {
  language: Language
  reference: string
  reason: ReturnReason
  photoCount: number
  portalAddress: string
}

export type ReturnUpdateEmailInput = {
  language: Language
  reference: string
  status: ReturnStatus
  /** The staff's words to the customer, as typed: never read as markup. */
  note?: string
  portalAddress: string
}

export function renderReturnCodeEmail(input: ReturnCodeEmailInput): RenderedEmail {
  return render(input.language, 'code', (language) => {
    const t = mailT(language, 'email')
    return [
      { blocks: [{ kind: 'paragraph', text: t(`returns.code.intro.${input.purpose}`) }] },
      {
        heading: t('emailCode.codeHeading'),
        blocks: [
          { kind: 'code', value: input.code },
          { kind: 'paragraph', text: t('emailCode.expires') },
          { kind: 'paragraph', text: t('returns.code.notYou') },
          { kind: 'paragraph', text: t('emailCode.neverAsk') },
        ],
      },
      portalSection(language, input.portalAddress),
    ]
  })
}

export function renderReturnReceivedEmail(input: ReturnReceivedEmailInput): RenderedEmail {
  return render(input.language, 'received', (language) => {
    const t = mailT(language, 'email')
    return [
      {
        blocks: [
          { kind: 'paragraph', text: t('returns.received.intro') },
          {
            kind: 'list',
            items: [
              t('returns.received.reason', { reason: t(`returns.reasons.${input.reason}`) }),
              t('returns.received.photos', { count: input.photoCount }),
            ],
          },
        ],
      },
      referenceSection(language, input.reference),
      {
        heading: t('returns.nextHeading'),
        blocks: [{ kind: 'paragraph', text: t('returns.received.next') }],
      },
      portalSection(language, input.portalAddress),
    ]
  })
}

export function renderReturnUpdateEmail(input: ReturnUpdateEmailInput): RenderedEmail {
  return render(input.language, 'update', (language) => {
    const t = mailT(language, 'email')
    const note: EmailSection[] =
      input.note === undefined
        ? []
        : [
            {
              heading: t('returns.update.noteHeading'),
              blocks: [{ kind: 'paragraph', text: input.note, markup: false }],
            },
          ]
    return [
      {
        blocks: [
          { kind: 'paragraph', text: t('returns.update.intro') },
          { kind: 'paragraph', text: t(`returns.statuses.${input.status}`) },
        ],
      },
      ...note,
      referenceSection(language, input.reference),
      portalSection(language, input.portalAddress),
    ]
  })
}

function render(
  language: Language,
  kind: 'code' | 'received' | 'update',
  sections: (language: Language) => EmailSection[],
) {
  return renderEmailLayout({
    language,
    subject: mailT(language, 'email')(`returns.${kind}.subject`),
    parts: languagesFirst(language).map(
      (partLanguage): EmailPart => ({
        language: partLanguage,
        title: mailT(partLanguage, 'email')(`returns.${kind}.title`),
        sections: sections(partLanguage),
      }),
    ),
  })
}

function referenceSection(language: Language, reference: string): EmailSection {
  const t = mailT(language, 'email')
  return {
    heading: t('returns.referenceHeading'),
    blocks: [
      { kind: 'code', value: reference },
      { kind: 'paragraph', text: t('returns.referenceUse') },
    ],
  }
}

function portalSection(language: Language, portalAddress: string): EmailSection {
  const t = mailT(language, 'email')
  return {
    heading: t('returns.contactHeading'),
    blocks: [
      { kind: 'paragraph', text: t('returns.statusPage') },
      { kind: 'code', value: `${portalAddress}/returns/status` },
      { kind: 'paragraph', text: t('returns.contact') },
      { kind: 'code', value: RETURNS_EMAIL },
    ],
  }
}
