import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type BrowserSession,
  documentLanguage,
  expectNoAxeViolations,
  expectNoConsoleProblems,
  expectTranslatedHeadingAndTitle,
  startOver,
  waitForHydration,
} from '../support/browser'
import { startPortalWithBrowsers } from '../support/browser-fixture'
import { importAsDemoData } from '../support/demo-import'
import { MEMBER_COLUMNS, member } from '../support/export-files'
import { portalCommand } from '../support/portal-command'
import { type PortalServer, startPortal } from '../support/portal-server'
import { testSecrets } from '../support/secrets'

const LETTER_CODE = /[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]/
const RECIPIENT = 'hanako.mihon@example.jp'

/** Its portal's outbox stays empty: the fixture keeps its secrets to itself. */
const fixture = startPortalWithBrowsers()

/** A second portal whose secrets this file knows, so the commands can fill its outbox. */
let filled: PortalServer | undefined

const run = promisify(execFile)

async function runCommand(script: string, args: string[], env: Record<string, string>, cwd: string) {
  const command = portalCommand(script)
  return run(command.command, [...command.args, ...args], {
    cwd,
    env: { ...command.env, PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
    timeout: 60_000,
  })
}

beforeAll(async () => {
  const secrets = testSecrets()
  filled = await startPortal({ env: secrets })
  // As demo data: an imported export would turn the outbox off.
  const directory = await importAsDemoData(filled.databasePath, secrets, {
    'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M1', email: RECIPIENT })],
  })
  const env = { DATABASE_URL: filled.databasePath, ...secrets }
  await runCommand('app/cli/notify.ts', ['--json'], env, directory)
}, 120_000)

afterAll(async () => {
  await filled?.stop()
})

function filledPortal() {
  if (!filled) throw new Error('the filled portal is used before it started')
  return filled
}

const languages = [
  { language: 'ja', query: '', empty: '送信箱は空です。', pending: '未送信' },
  { language: 'en', query: '?lng=en', empty: 'The outbox is empty.', pending: 'Pending' },
] as const

async function openOutbox(session: BrowserSession, url: string, javaScriptEnabled: boolean) {
  const { page } = session
  await startOver(session)
  const response = await page.goto(url)
  expect(response?.status()).toBe(200)
  if (javaScriptEnabled) await waitForHydration(page)
  return page
}

describe.each([
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
])('the development outbox with JavaScript $javaScript', ({ javaScriptEnabled }) => {
  const session = () => (javaScriptEnabled ? fixture.withJavaScript : fixture.withoutJavaScript)

  test.each(languages)('empty, in $language', async ({ language, query, empty }) => {
    const page = await openOutbox(session(), `${fixture.portal.url}/dev/outbox${query}`, javaScriptEnabled)
    expect(await documentLanguage(page)).toBe(language)
    await expectTranslatedHeadingAndTitle(page, language)
    const emptyState = page.locator('main .dev-outbox__empty')
    expect(await emptyState.isVisible()).toBe(true)
    expect(await emptyState.textContent()).toContain(empty)
    expect(await emptyState.locator('code').textContent()).toBe('npm run notify')
    expect(await page.locator('main article').count()).toBe(0)

    await expectNoAxeViolations(page)
    expectNoConsoleProblems(session())
  })

  test.each(languages)('with a notice e-mail, in $language', async ({ language, query, pending }) => {
    const page = await openOutbox(session(), `${filledPortal().url}/dev/outbox${query}`, javaScriptEnabled)
    expect(await documentLanguage(page)).toBe(language)
    await expectTranslatedHeadingAndTitle(page, language)

    const messages = page.locator('main article')
    expect(await messages.count()).toBe(1)
    const message = messages.first()
    // The article is named by its heading, the e-mail's subject.
    const subject = ((await message.locator('h3').textContent()) ?? '').trim()
    expect(subject).toContain('セカイモン')
    expect(await page.getByRole('article', { name: subject }).count()).toBe(1)
    const details = message.locator('dl')
    expect(await details.locator('dd', { hasText: RECIPIENT }).count()).toBe(1)
    expect(await details.locator('dd', { hasText: pending }).count()).toBe(1)
    expect(await details.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/)
    const body = message.locator('pre')
    expect(await body.isVisible()).toBe(true)
    expect(await body.textContent()).toMatch(LETTER_CODE)
    expect(await page.getByText(pending, { exact: true }).first().isVisible()).toBe(true)

    await expectNoAxeViolations(page)
    expectNoConsoleProblems(session())
  })
})

describe('the development outbox on a phone', () => {
  test('wraps the e-mail body instead of scrolling sideways', async () => {
    const { page } = fixture.withoutJavaScript
    await page.setViewportSize({ width: 360, height: 740 })
    try {
      await openOutbox(fixture.withoutJavaScript, `${filledPortal().url}/dev/outbox?lng=en`, false)
      const overflow = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        body: Array.from(document.querySelectorAll('pre'), (pre) => pre.scrollWidth - pre.clientWidth),
      }))
      expect(overflow.page, 'the page scrolls sideways').toBeLessThanOrEqual(0)
      expect(overflow.body, 'an e-mail body scrolls sideways').toEqual([0])
      expectNoConsoleProblems(fixture.withoutJavaScript)
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 })
    }
  })
})

describe('leaving the development outbox', () => {
  test('tells the next page nothing of where the reader came from', async () => {
    const session = fixture.withoutJavaScript
    const page = await openOutbox(session, `${filledPortal().url}/dev/outbox`, false)
    await page.locator('header a[href="/"]').click()
    await page.waitForURL(`${filledPortal().url}/`)
    // The site's default policy would send the outbox's address on a same-origin link.
    expect(await page.evaluate(() => document.referrer)).toBe('')
    expectNoConsoleProblems(session)
  })

  test('from the keyboard, the skip link leads into the page', async () => {
    const session = fixture.withoutJavaScript
    const page = await openOutbox(session, `${filledPortal().url}/dev/outbox?lng=en`, false)
    await page.keyboard.press('Tab')
    const skipLink = page.locator('a.skip-link')
    expect(await skipLink.evaluate((element) => element === document.activeElement)).toBe(true)
    await page.keyboard.press('Enter')
    await page.waitForURL(/#main$/)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main')
    expectNoConsoleProblems(session)
  })
})
