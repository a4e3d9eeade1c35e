import type { Language } from '~/i18n/config'
import {
  type EmailPart,
  type EmailSection,
  languagesFirst,
  type RenderedEmail,
  renderEmailLayout,
} from '~/mail/email-layout.server'
import { mailT } from '~/mail/mail-i18n.server'
import { INCIDENT_DATE, SUPPORT_EMAIL } from '~/ui/incident/incident-facts'
import type { ExposureCategory } from '~db/exposure-categories'

/**
 * The notice e-mail: what happened, which categories of the reader's data
 * were exposed (names only, never values), what to do, the letter code, the
 * message reference and the portal's address as text. It carries no link, so
 * a genuine notice never teaches anyone to click one.
 */

export type NotificationEmailInput = {
  language: Language
  familyName?: string
  givenName?: string
  categories: readonly ExposureCategory[]
  letterCode: string
  messageReference: string
  /** The portal's address as printed, without a scheme: `portal.example.jp`. */
  portalAddress: string
}

/** Translation keys of each category: its name on the incident page, its advice here. */
const CATEGORY_KEYS: Record<ExposureCategory, string> = {
  name: 'name',
  birth_date: 'birthDate',
  gender: 'gender',
  email: 'email',
  phone: 'phone',
  address: 'address',
  card: 'cardLast4Expiry',
  password: 'password',
  buyer_id: 'buyerId',
  staff_id: 'staffId',
}

const adviceKey = (category: ExposureCategory) => (category === 'card' ? 'card' : CATEGORY_KEYS[category])

export function renderNotificationEmail(input: NotificationEmailInput): RenderedEmail {
  return renderEmailLayout({
    language: input.language,
    // The subject is fixed: the reader's language decides only which one.
    subject: mailT(input.language, 'email')('notification.subject'),
    parts: languagesFirst(input.language).map((language) => notificationPart(language, input)),
  })
}

function notificationPart(language: Language, input: NotificationEmailInput): EmailPart {
  const t = mailT(language, ['email', 'incident'])
  const date = new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'ja-JP', {
    dateStyle: 'long',
    timeZone: 'Asia/Tokyo',
  }).format(new Date(`${INCIDENT_DATE}T00:00:00+09:00`))
  const sections: EmailSection[] = [
    { blocks: [{ kind: 'paragraph', text: salutation(language, input) }] },
    { blocks: [{ kind: 'paragraph', text: t('notification.intro') }] },
    {
      heading: t('notification.whatHappened.heading'),
      blocks: [{ kind: 'paragraph', text: t('notification.whatHappened.body', { date }) }],
    },
    {
      heading: t('notification.exposed.heading'),
      blocks: [
        { kind: 'paragraph', text: t('notification.exposed.intro') },
        {
          kind: 'list',
          items: input.categories.map((category) =>
            t(`incident:affected.categories.${CATEGORY_KEYS[category]}`),
          ),
        },
      ],
    },
    {
      heading: t('notification.advice.heading'),
      blocks: [
        { kind: 'paragraph', text: t('notification.advice.intro') },
        {
          kind: 'list',
          items: input.categories.map((category) =>
            t(`notification.advice.categories.${adviceKey(category)}`),
          ),
        },
        { kind: 'paragraph', text: t('notification.advice.neverAsk') },
        { kind: 'paragraph', text: t('notification.advice.unsure', { email: SUPPORT_EMAIL }) },
      ],
    },
    {
      heading: t('notification.letterCode.heading'),
      blocks: [
        { kind: 'code', value: input.letterCode },
        { kind: 'paragraph', text: t('notification.letterCode.body') },
      ],
    },
    {
      heading: t('notification.portal.heading'),
      blocks: [
        { kind: 'paragraph', text: t('notification.portal.intro') },
        { kind: 'code', value: input.portalAddress },
        { kind: 'paragraph', text: t('notification.portal.noLinks') },
      ],
    },
    {
      heading: t('notification.reference.heading'),
      blocks: [
        { kind: 'code', value: input.messageReference },
        { kind: 'paragraph', text: t('notification.reference.body') },
      ],
    },
    {
      heading: t('notification.contact.heading'),
      blocks: [{ kind: 'paragraph', text: t('notification.contact.line', { email: SUPPORT_EMAIL }) }],
    },
  ]
  return { language, title: t('notification.title'), sections }
}

function salutation(language: Language, { familyName, givenName }: NotificationEmailInput) {
  const t = mailT(language, 'email')
  if (familyName && givenName) return t('notification.salutation.fullName', { familyName, givenName })
  const name = familyName ?? givenName
  return name ? t('notification.salutation.oneName', { name }) : t('notification.salutation.neutral')
}
