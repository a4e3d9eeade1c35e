import { describe, expect, test } from 'vitest'
import {
  documentLanguage,
  expectNoAxeViolations,
  expectNoConsoleProblems,
  expectTranslatedHeadingAndTitle,
  startOver,
  waitForHydration,
} from '../support/browser'
import { startPortalWithBrowsers } from '../support/browser-fixture'

/** A small phone: the narrowest screen the portal is designed for. */
const phone = { width: 360, height: 740 }

const fixture = startPortalWithBrowsers({ viewport: phone })

describe('at 360 px wide', () => {
  test.each([
    { path: '/', language: 'ja', status: 200 },
    { path: '/?lng=en', language: 'en', status: 200 },
    { path: '/privacy', language: 'ja', status: 200 },
    { path: '/check', language: 'ja', status: 200 },
    { path: '/nope', language: 'ja', status: 404 },
  ] as const)('$path fits the screen and passes axe', async ({ path, language, status }) => {
    const session = fixture.withJavaScript
    const { page } = session
    await startOver(session)

    const url = `${fixture.portal.url}${path}`
    const response = await page.goto(url)
    expect(response?.status()).toBe(status)
    await waitForHydration(page)
    expect(await documentLanguage(page)).toBe(language)
    await expectTranslatedHeadingAndTitle(page, language)

    const { scrollWidth, widest } = await page.evaluate(() => {
      const viewportWidth = document.documentElement.clientWidth
      // Names the elements that stick out, for a useful failure message.
      const overflowing = [...document.querySelectorAll('body *')]
        .map((element) => ({ element, right: element.getBoundingClientRect().right }))
        .filter(({ right }) => right > viewportWidth + 0.5)
        .slice(0, 5)
        .map(({ element, right }) => {
          const classes = element.classList.length > 0 ? `.${[...element.classList].join('.')}` : ''
          return `${element.tagName.toLowerCase()}${classes} (right edge ${Math.round(right)} px)`
        })
      return { scrollWidth: document.documentElement.scrollWidth, widest: overflowing }
    })
    expect(scrollWidth, `${path} scrolls sideways; sticking out: ${widest.join(', ')}`).toBeLessThanOrEqual(
      phone.width,
    )

    await expectNoAxeViolations(page)
    expectNoConsoleProblems(session, { allowNotFound: status === 404 ? url : undefined })
  })
})

describe.each([
  { javaScript: 'on', javaScriptEnabled: true },
  { javaScript: 'off', javaScriptEnabled: false },
])('the skip link with JavaScript $javaScript', ({ javaScriptEnabled }) => {
  test.each([
    { path: '/', text: '本文へ移動' },
    { path: '/?lng=en', text: 'Skip to main content' },
  ])('is the first Tab stop on $path and moves focus to main', async ({ path, text }) => {
    const session = javaScriptEnabled ? fixture.withJavaScript : fixture.withoutJavaScript
    const { page } = session
    await startOver(session)
    await page.goto(`${fixture.portal.url}${path}`)
    if (javaScriptEnabled) await waitForHydration(page)

    await page.keyboard.press('Tab')
    const focused = await page.evaluate(() => {
      const element = document.activeElement
      if (!(element instanceof HTMLAnchorElement)) return null
      const box = element.getBoundingClientRect()
      return {
        text: element.textContent?.trim(),
        href: element.getAttribute('href'),
        onScreen: box.top >= 0 && box.left >= 0 && box.right <= window.innerWidth && box.height > 0,
      }
    })
    expect(focused, 'the first Tab stop').toEqual({ text, href: '#main', onScreen: true })

    await page.keyboard.press('Enter')
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.id), {
        message: 'the element focused after the skip link',
      })
      .toBe('main')
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('MAIN')
    expectNoConsoleProblems(session)
  })
})
