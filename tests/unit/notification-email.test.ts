import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Language } from '~/i18n/config'
import { type NotificationEmailInput, renderNotificationEmail } from '~/notify/notification-email.server'
import { EXPOSURE_CATEGORIES, type ExposureCategory } from '~db/exposure-categories'
import enEmail from '~locales/en/email.json'
import enIncident from '~locales/en/incident.json'
import jaEmail from '~locales/ja/email.json'
import jaIncident from '~locales/ja/incident.json'

const email = { ja: jaEmail, en: enEmail }
const categoryNames = { ja: jaIncident.affected.categories, en: enIncident.affected.categories }
const CATEGORY_NAME_KEYS: Record<ExposureCategory, keyof typeof jaIncident.affected.categories> = {
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
const nameOf = (language: Language, category: ExposureCategory) =>
  categoryNames[language][CATEGORY_NAME_KEYS[category]]

const base: NotificationEmailInput = {
  language: 'ja',
  familyName: '見本',
  givenName: '花子',
  categories: ['name', 'phone'],
  letterCode: 'ABCD-EFGH-JKLM',
  messageReference: 'R-7Q2X-9K4M',
  portalAddress: 'portal.example.jp',
}
const render = (overrides: Partial<NotificationEmailInput> = {}) =>
  renderNotificationEmail({ ...base, ...overrides })

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1
const squash = (text: string) => text.replace(/\s+/g, ' ')

/** The text part of one language: parts are separated by a line of `=`. */
function textPart(text: string, language: Language) {
  const parts = text.split(/\n={20,}\n/)
  const part = parts.find((candidate) => candidate.includes(email[language].notification.title))
  if (part === undefined) throw new Error(`no ${language} part in the text`)
  return part
}

/** The items of the bulleted list that follows the exposed-data heading in a text part. */
function textExposedItems(text: string, language: Language) {
  const part = textPart(text, language)
  const section = part.split(`■ ${email[language].notification.exposed.heading}`)[1]?.split('\n■ ')[0]
  if (section === undefined) throw new Error('no exposed section in the text')
  const bullet = language === 'ja' ? '・' : '- '
  const indent = language === 'ja' ? '　' : '  '
  const items: string[] = []
  for (const line of section.split('\n')) {
    if (line.startsWith(bullet)) items.push(line.slice(bullet.length))
    else if (line.startsWith(indent) && items.length > 0) items[items.length - 1] += ` ${line.trim()}`
  }
  return items
}

/** The `<li>` items of the first list after the exposed-data heading in a language's HTML part. */
function htmlExposedItems(html: string, language: Language) {
  const part = html.split(`<div lang="${language}">`)[1]?.split('</div>')[0]
  if (part === undefined) throw new Error(`no ${language} part in the html`)
  const afterHeading = part.split(`${email[language].notification.exposed.heading}</h2>`)[1]
  const list = afterHeading?.match(/<ul[^>]*>([\s\S]*?)<\/ul>/)?.[1]
  if (list === undefined) throw new Error('no exposed list in the html')
  return [...list.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((match) => match[1])
}

describe('renderNotificationEmail', () => {
  describe.each(['ja', 'en'] as const)('for a reader of %s', (language) => {
    const other: Language = language === 'ja' ? 'en' : 'ja'
    const mail = render({ language })

    it("puts the reader's language first and the other below, in text and html", () => {
      const own = email[language].notification.title
      const below = email[other].notification.title
      for (const body of [mail.text, mail.html]) {
        expect(body.indexOf(own)).toBeGreaterThanOrEqual(0)
        expect(body.indexOf(below)).toBeGreaterThan(body.indexOf(own))
      }
      expect(mail.html.indexOf(`<div lang="${other}">`)).toBeGreaterThan(
        mail.html.indexOf(`<div lang="${language}">`),
      )
    })

    it("tells the other language's reader, at the top and in their language, to scroll", () => {
      const note = email[other].layout.otherLanguageBelow
      expect(mail.text.startsWith(note)).toBe(true)
      expect(mail.html.indexOf(note)).toBeLessThan(mail.html.indexOf(email[language].notification.title))
    })

    it("declares the reader's language on the html element", () => {
      expect(mail.html.match(/<html lang="([^"]*)">/)?.[1]).toBe(language)
    })

    it('has the fixed subject from the locales, on one line', () => {
      expect(mail.subject).toBe(email[language].notification.subject)
      expect(mail.subject).not.toMatch(/[\r\n]/)
    })

    it('contains no link, address of a web page or image', () => {
      for (const body of [mail.text, mail.html]) {
        for (const forbidden of ['http://', 'https://', 'www.', '<a', 'href', '<img', 'src=', 'mailto:']) {
          expect(body.toLowerCase()).not.toContain(forbidden)
        }
      }
    })

    it('gives the letter code, message reference and portal address as text, in both parts', () => {
      for (const value of [base.letterCode, base.messageReference, base.portalAddress]) {
        expect(occurrences(mail.text, `\n    ${value}\n`)).toBe(2)
        expect(occurrences(mail.html, `>${value}</code>`)).toBe(2)
      }
    })

    it('says in both languages that we never ask for a password or card number', () => {
      for (const each of ['ja', 'en'] as const) {
        const sentence = email[each].notification.advice.neverAsk
        expect(squash(mail.text)).toContain(sentence)
        expect(mail.html).toContain(`>${sentence}</p>`)
      }
    })
  })

  describe('the list of exposed categories', () => {
    it('names exactly the given categories, in both languages and both parts', () => {
      const mail = render({ categories: ['name', 'phone'] })
      for (const language of ['ja', 'en'] as const) {
        const expected = [nameOf(language, 'name'), nameOf(language, 'phone')]
        expect(textExposedItems(mail.text, language)).toEqual(expected)
        expect(htmlExposedItems(mail.html, language)).toEqual(expected)
      }
    })

    it('leaves out a category that was not given, even when its word appears in the body', () => {
      const mail = render({ language: 'ja', categories: ['name', 'card'] })
      const emailName = nameOf('ja', 'email')
      // The Japanese body mentions メールアドレス elsewhere; the list must not.
      expect(textExposedItems(mail.text, 'ja')).not.toContain(emailName)
      expect(htmlExposedItems(mail.html, 'ja')).not.toContain(emailName)
      expect(textExposedItems(mail.text, 'ja')).toEqual([nameOf('ja', 'name'), nameOf('ja', 'card')])
      expect(textExposedItems(mail.text, 'en')).not.toContain(nameOf('en', 'email'))
    })

    it('lists any set of categories exactly, in the order given', () => {
      fc.assert(
        fc.property(
          fc.subarray([...EXPOSURE_CATEGORIES], { minLength: 1 }),
          fc.constantFrom<Language>('ja', 'en'),
          (categories, language) => {
            const mail = render({ language, categories })
            for (const each of ['ja', 'en'] as const) {
              const expected = categories.map((category) => nameOf(each, category))
              expect(textExposedItems(mail.text, each)).toEqual(expected)
              expect(htmlExposedItems(mail.html, each)).toEqual(expected)
            }
          },
        ),
        { numRuns: 50 },
      )
    })
  })

  describe('the salutation', () => {
    const hostile = `<script>&"'`

    it.each(['ja', 'en'] as const)(
      'escapes a name in html and keeps it verbatim in text (%s)',
      (language) => {
        const mail = render({ language, familyName: hostile, givenName: undefined })
        expect(mail.html).not.toContain('<script')
        expect(mail.html).toContain('&lt;script&gt;&amp;&quot;&#39;')
        expect(mail.text).toContain(`\n${hostile} 様\n`)
        expect(mail.text).toContain(`\nDear ${hostile},\n`)
      },
    )

    it('addresses the reader by full name when both names are known', () => {
      const mail = render({ familyName: '見本', givenName: '花子' })
      expect(mail.text).toContain('\n見本 花子 様\n')
      expect(mail.text).toContain('\nDear 見本 花子,\n')
    })

    it.each(['ja', 'en'] as const)('is neutral when no name is known (%s)', (language) => {
      const mail = render({ language, familyName: undefined, givenName: undefined })
      expect(mail.text).toContain(`\n\n${jaEmail.notification.salutation.neutral}\n\n`)
      expect(mail.text).toContain(`\n\n${enEmail.notification.salutation.neutral}\n\n`)
      expect(mail.text).not.toContain('Dear ')
      expect(mail.text).not.toMatch(/ 様$/m)
      expect(mail.html).toContain(`>${jaEmail.notification.salutation.neutral}</p>`)
    })
  })

  describe('html escaping of arbitrary input', () => {
    // Every tag the layout itself writes; anything else starting with `<` came from the input.
    const layoutTag = /^<\/?(?:!DOCTYPE|html|head|meta|title|body|div|p|h1|h2|ul|li|code|hr|br|span)[\s>]/
    const awkward = fc.string({
      unit: fc.oneof(
        fc.constantFrom(
          '<',
          '>',
          '&',
          '"',
          "'",
          '/',
          ' ',
          'a',
          'A',
          'img',
          'script',
          '\n',
          '様',
          '=',
          'href',
        ),
        fc.string({ minLength: 1, maxLength: 1 }),
      ),
      maxLength: 30,
    })
    it('never lets a `<` from names or codes into the html', () => {
      fc.assert(
        fc.property(
          awkward,
          awkward,
          awkward,
          awkward,
          fc.constantFrom<Language>('ja', 'en'),
          (familyName, givenName, letterCode, messageReference, language) => {
            const { html } = render({ language, familyName, givenName, letterCode, messageReference })
            expect(html.toLowerCase()).not.toContain('<a')
            for (const match of html.matchAll(/</g)) {
              expect(html.slice(match.index, match.index + 12)).toMatch(layoutTag)
            }
          },
        ),
        { numRuns: 200 },
      )
    })

    // Language marks belong to translations; in a name they are just characters.
    it('keeps a name containing language marks as data, not markup', () => {
      const familyName = '<en>X</en>'
      const mail = render({ language: 'ja', familyName, givenName: undefined })
      expect(mail.html).not.toContain('<span lang="en">X</span>')
      expect(mail.html).toContain('&lt;en&gt;X&lt;/en&gt; 様')
      expect(mail.text).toContain(`\n${familyName} 様\n`)
    })
  })
})
