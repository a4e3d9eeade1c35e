import { intlLocale, type Language } from '~/i18n/config'
import { INCIDENT_DATE, SUPPORT_EMAIL } from '~/incident/incident-facts'
import {
  type EmailPart,
  type EmailSection,
  languagesFirst,
  type RenderedEmail,
  renderEmailLayout,
} from '~/mail/email-layout.server'
import { mailT } from '~/mail/mail-i18n.server'
import { EXPOSURE_CATEGORIES, type ExposureCategory } from '~db/exposure-categories'

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
  const strings = notificationStrings(language)
  const sections: EmailSection[] = [
    // A name is the reader's own text: never read as language marks.
    { blocks: [{ kind: 'paragraph', text: salutation(language, input), markup: false }] },
    { blocks: [{ kind: 'paragraph', text: strings.intro }] },
    {
      heading: strings.whatHappened.heading,
      blocks: [{ kind: 'paragraph', text: strings.whatHappened.body }],
    },
    {
      heading: strings.exposed.heading,
      blocks: [
        { kind: 'paragraph', text: strings.exposed.intro },
        { kind: 'list', items: input.categories.map((category) => strings.categoryNames[category]) },
      ],
    },
    {
      heading: strings.advice.heading,
      blocks: [
        { kind: 'paragraph', text: strings.advice.intro },
        { kind: 'list', items: input.categories.map((category) => strings.advice.categories[category]) },
        { kind: 'paragraph', text: strings.advice.neverAsk },
        { kind: 'paragraph', text: strings.advice.unsure },
      ],
    },
    {
      heading: strings.letterCode.heading,
      blocks: [
        { kind: 'code', value: input.letterCode },
        { kind: 'paragraph', text: strings.letterCode.body },
      ],
    },
    {
      heading: strings.portal.heading,
      blocks: [
        { kind: 'paragraph', text: strings.portal.intro },
        { kind: 'code', value: input.portalAddress },
        { kind: 'paragraph', text: strings.portal.noLinks },
      ],
    },
    {
      heading: strings.reference.heading,
      blocks: [
        { kind: 'code', value: input.messageReference },
        { kind: 'paragraph', text: strings.reference.body },
      ],
    },
    { heading: strings.contact.heading, blocks: [{ kind: 'paragraph', text: strings.contact.line }] },
  ]
  return { language, title: strings.title, sections }
}

/**
 * Everything in the notice that is the same for every reader of a language,
 * translated once: a run renders a million of these, and translating each
 * string each time would be most of its cost.
 */
const notificationStrings = memoByLanguage((language: Language) => {
  const t = mailT(language, ['email', 'incident'])
  const date = new Intl.DateTimeFormat(intlLocale(language), {
    dateStyle: 'long',
    timeZone: 'Asia/Tokyo',
  }).format(new Date(`${INCIDENT_DATE}T00:00:00+09:00`))
  const perCategory = (key: (category: ExposureCategory) => string) =>
    Object.fromEntries(EXPOSURE_CATEGORIES.map((category) => [category, t(key(category))])) as Record<
      ExposureCategory,
      string
    >
  return {
    title: t('notification.title'),
    intro: t('notification.intro'),
    whatHappened: {
      heading: t('notification.whatHappened.heading'),
      body: t('notification.whatHappened.body', { date }),
    },
    exposed: { heading: t('notification.exposed.heading'), intro: t('notification.exposed.intro') },
    categoryNames: perCategory((category) => `incident:affected.categories.${CATEGORY_KEYS[category]}`),
    advice: {
      heading: t('notification.advice.heading'),
      intro: t('notification.advice.intro'),
      categories: perCategory((category) => `notification.advice.categories.${adviceKey(category)}`),
      neverAsk: t('notification.advice.neverAsk'),
      unsure: t('notification.advice.unsure', { email: SUPPORT_EMAIL }),
    },
    letterCode: { heading: t('notification.letterCode.heading'), body: t('notification.letterCode.body') },
    portal: {
      heading: t('notification.portal.heading'),
      intro: t('notification.portal.intro'),
      noLinks: t('notification.portal.noLinks'),
    },
    reference: { heading: t('notification.reference.heading'), body: t('notification.reference.body') },
    contact: {
      heading: t('notification.contact.heading'),
      line: t('notification.contact.line', { email: SUPPORT_EMAIL }),
    },
  }
})

function memoByLanguage<T>(make: (language: Language) => T) {
  const made = new Map<Language, T>()
  return (language: Language) => {
    let value = made.get(language)
    if (value === undefined) {
      value = make(language)
      made.set(language, value)
    }
    return value
  }
}

function salutation(language: Language, { familyName, givenName }: NotificationEmailInput) {
  const t = mailT(language, 'email')
  if (familyName && givenName) return t('notification.salutation.fullName', { familyName, givenName })
  const name = familyName || givenName
  return name ? t('notification.salutation.oneName', { name }) : t('notification.salutation.neutral')
}
