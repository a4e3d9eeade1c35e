import type { Page } from 'playwright-core'

/**
 * Layout problems a reader on a phone (or a wide screen) would notice, found
 * in the page as it is rendered now. Returns one readable line per problem;
 * an empty array means the page passed every check. Use it as
 *
 *     expect(await layoutProblems(page)).toEqual([])
 *
 * so a failure lists what is wrong and where. It checks:
 *
 * (a) **Sideways scrolling.** The document is wider than the viewport
 *     (`scrollWidth` of `<html>` beyond its `clientWidth`), or an element
 *     reaches past the right edge (named, unless an ancestor clips it), or an
 *     element other than a form field scrolls sideways inside itself.
 * (b) **Words broken inside.** A run of Latin letters or digits (a word, a
 *     number: "Name", "Address", "0001") whose rendered text lies on more than
 *     one line. Japanese wraps between characters legitimately, so kana and
 *     kanji are only flagged where the whole text of a label-like element
 *     (th, dt, label, legend, heading, button, summary, link) is one short
 *     token such as 生年月日 and still takes more than one line; and any
 *     text in a table cell, dt/dd, label or heading whose box is narrower than
 *     two characters of its own font (the "生/年/月/日" column).
 * (c) **Radios and checkboxes away from their label.** The control's
 *     vertical centre more than 8 px from the centre of its label's first
 *     line of text, or the control more than 24 px to the side of that text,
 *     or the control stretched (wider than twice its height).
 * (d) **Small tap targets.** Links, buttons, inputs, selects, textareas and
 *     summaries smaller than 44 × 44 CSS px. A radio or checkbox counts
 *     together with its label (the label is what a thumb presses). Links
 *     inside running text (a paragraph or list item with other words around
 *     the link) are exempt, as WCAG 2.5.8 allows for inline targets.
 *
 * Elements that are not rendered (display: none, visibility: hidden, inside a
 * closed <details>) or visually hidden on purpose (1 × 1 px, the skip link
 * off-screen) are not checked. Works with JavaScript on or off in the page:
 * Playwright's evaluate runs regardless of the page's own scripts.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  // tsx (and esbuild with keepNames) wraps named functions in `__name(...)`,
  // a helper that exists in Node but not in the page; a no-op stands in for it.
  // A string is evaluated as is, never transformed.
  await page.evaluate('globalThis.__name ??= (fn) => fn')
  return page.evaluate(checkLayoutInPage)
}

/** Runs inside the page: everything it uses must be defined within it. */
function checkLayoutInPage(): string[] {
  const problems: string[] = []
  const viewportWidth = document.documentElement.clientWidth
  const tolerance = 0.5

  const describe = (element: Element) => {
    const tag = element.tagName.toLowerCase()
    const id = element.id ? `#${element.id}` : ''
    const classes = element.classList.length > 0 ? `.${[...element.classList].slice(0, 2).join('.')}` : ''
    const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim()
    const excerpt = text ? ` "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"` : ''
    return `${tag}${id}${classes}${excerpt}`
  }

  const isRendered = (element: Element) => {
    if (!element.checkVisibility({ visibilityProperty: true } as CheckVisibilityOptions)) return false
    const box = element.getBoundingClientRect()
    // Visually hidden on purpose (.visually-hidden is 1 × 1 px and clipped).
    if (box.width <= 1 || box.height <= 1) return false
    // Parked off-screen until focused (the skip link).
    if (box.bottom <= 0 || box.right <= 0) return false
    // Inside a visually hidden box (a stacked table's header row): clipped to 1 × 1 px.
    for (
      let parent = element.parentElement;
      parent && parent !== document.body;
      parent = parent.parentElement
    ) {
      const outer = parent.getBoundingClientRect()
      if ((outer.width <= 1 || outer.height <= 1) && getComputedStyle(parent).overflow !== 'visible')
        return false
    }
    return true
  }

  /** True where an ancestor cuts off what sticks out of it, so the page cannot scroll to it. */
  const isClipped = (element: Element) => {
    for (
      let parent = element.parentElement;
      parent && parent !== document.body;
      parent = parent.parentElement
    ) {
      const style = getComputedStyle(parent)
      if (style.overflowX !== 'visible') return true
      if (style.clip !== 'auto' && style.position === 'absolute') return true
    }
    return false
  }

  // (a) Sideways scrolling.
  const scrollWidth = document.documentElement.scrollWidth
  if (scrollWidth > viewportWidth) {
    problems.push(`the page scrolls sideways: ${scrollWidth} px wide in a ${viewportWidth} px viewport`)
  }
  const all = [...document.body.querySelectorAll('*')].filter(isRendered)
  const sticking = all.filter(
    (element) => element.getBoundingClientRect().right > viewportWidth + tolerance && !isClipped(element),
  )
  // Name the outermost culprits only: their children stick out because they do.
  for (const element of sticking.filter((element) => !sticking.includes(element.parentElement as Element))) {
    problems.push(
      `wider than the viewport: ${describe(element)} reaches ${Math.round(element.getBoundingClientRect().right)} px of ${viewportWidth}`,
    )
  }
  for (const element of all) {
    if (element.matches('input, textarea, select')) continue
    const style = getComputedStyle(element)
    if (
      (style.overflowX === 'auto' || style.overflowX === 'scroll') &&
      element.scrollWidth > element.clientWidth + 1
    ) {
      problems.push(
        `scrolls sideways inside: ${describe(element)} (${element.scrollWidth} px in ${element.clientWidth})`,
      )
    }
  }

  // (b) Words broken inside.
  /** The number of distinct lines a range's text lies on. */
  const linesOf = (range: Range | DOMRect[]) => {
    const tops: number[] = []
    for (const rect of Array.isArray(range) ? range : range.getClientRects()) {
      if (rect.width < 1 || rect.height < 1) continue
      if (!tops.some((top) => Math.abs(top - rect.top) < rect.height / 2)) tops.push(rect.top)
    }
    return tops.length
  }
  const textWalker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  const latinToken = /[\p{Script=Latin}\p{Nd}]+/gu
  const reported = new Set<Element>()
  for (let node = textWalker.nextNode(); node; node = textWalker.nextNode()) {
    const parent = node.parentElement
    if (!parent || parent.closest('script, style, noscript, template, option')) continue
    if (reported.has(parent) || !isRendered(parent)) continue
    const text = node.textContent ?? ''
    for (const match of text.matchAll(latinToken)) {
      if (match[0].length < 2) continue
      const range = document.createRange()
      range.setStart(node, match.index)
      range.setEnd(node, match.index + match[0].length)
      if (linesOf(range) > 1) {
        problems.push(`word broken across lines: "${match[0]}" in ${describe(parent)}`)
        reported.add(parent)
        break
      }
    }
  }
  const labelLike = 'th, dt, label, legend, h1, h2, h3, h4, h5, h6, button, summary, a, caption'
  const singleCjkToken = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]{2,8}$/u
  for (const element of all) {
    if (reported.has(element) || !element.matches(labelLike)) continue
    const text = (element.textContent ?? '').trim()
    if (!singleCjkToken.test(text)) continue
    // Only the words count: a control inside a label has a box of its own.
    const rects: DOMRect[] = []
    const words = document.createTreeWalker(element, NodeFilter.SHOW_TEXT)
    for (let node = words.nextNode(); node; node = words.nextNode()) {
      const range = document.createRange()
      range.selectNodeContents(node)
      rects.push(...range.getClientRects())
    }
    if (linesOf(rects) > 1) {
      problems.push(`word broken across lines: "${text}" in ${describe(element)}`)
      reported.add(element)
    }
  }
  const textBoxes = 'th, td, dt, dd, label, legend, h1, h2, h3, h4, h5, h6, caption'
  for (const element of all) {
    if (reported.has(element) || !element.matches(textBoxes)) continue
    const ownText = [...element.childNodes].some(
      (child) => child.nodeType === Node.TEXT_NODE && (child.textContent ?? '').trim().length > 1,
    )
    if (!ownText) continue
    const style = getComputedStyle(element)
    const contentWidth =
      element.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight)
    const twoCharacters = 2 * Number.parseFloat(style.fontSize)
    if (contentWidth < twoCharacters) {
      problems.push(
        `column too narrow to read: ${describe(element)} is ${Math.round(contentWidth)} px wide, less than two characters`,
      )
      reported.add(element)
    }
  }

  // (c) Radios and checkboxes away from their label.
  const controls = [...document.querySelectorAll('input[type="radio"], input[type="checkbox"]')].filter(
    (element): element is HTMLInputElement => element instanceof HTMLInputElement && isRendered(element),
  )
  /** The first rendered line of a label's own words (not the control's). */
  const firstLineOf = (label: HTMLLabelElement) => {
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!(node.textContent ?? '').trim()) continue
      if (node.parentElement && !isRendered(node.parentElement)) continue
      const range = document.createRange()
      range.selectNodeContents(node)
      const rect = [...range.getClientRects()].find((box) => box.width >= 1 && box.height >= 1)
      if (rect) return rect
    }
    return null
  }
  for (const control of controls) {
    const label = [...(control.labels ?? [])][0]
    const name = `${control.type} ${control.name ? `"${control.name}" ` : ''}`
    if (!label) {
      problems.push(`${name}has no label`)
      continue
    }
    const line = firstLineOf(label)
    if (!line) {
      problems.push(`${name}has a label with no visible words: ${describe(label)}`)
      continue
    }
    const box = control.getBoundingClientRect()
    const offset = Math.abs(box.top + box.height / 2 - (line.top + line.height / 2))
    if (offset > 8) {
      problems.push(`${name}sits ${Math.round(offset)} px off the first line of its label ${describe(label)}`)
    }
    const gap = Math.max(line.left - box.right, box.left - line.right)
    if (gap > 24) {
      problems.push(`${name}is ${Math.round(gap)} px to the side of its label ${describe(label)}`)
    }
    if (box.width > 2 * box.height) {
      problems.push(`${name}is stretched to ${Math.round(box.width)} × ${Math.round(box.height)} px`)
    }
  }

  // (d) Small tap targets.
  const minimum = 44
  const targets = [
    ...document.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary'),
  ].filter(isRendered)
  /** A link with other words around it in the same paragraph or list item: WCAG's inline exception. */
  const isInlineInText = (element: Element) => {
    if (!element.matches('a')) return false
    if (getComputedStyle(element).display !== 'inline') return false
    let block = element.parentElement
    while (block && getComputedStyle(block).display === 'inline') block = block.parentElement
    if (!block) return false
    const own = (element.textContent ?? '').replace(/\s+/g, '')
    const around = (block.textContent ?? '').replace(/\s+/g, '')
    return around.length > own.length
  }
  for (const target of targets) {
    if (isInlineInText(target)) continue
    let box = target.getBoundingClientRect()
    let what = describe(target)
    if (target instanceof HTMLInputElement && (target.type === 'radio' || target.type === 'checkbox')) {
      const label = [...(target.labels ?? [])][0]
      if (label) {
        // The control and its label are one target: union of both boxes.
        const labelBox = label.getBoundingClientRect()
        const left = Math.min(box.left, labelBox.left)
        const top = Math.min(box.top, labelBox.top)
        box = new DOMRect(
          left,
          top,
          Math.max(box.right, labelBox.right) - left,
          Math.max(box.bottom, labelBox.bottom) - top,
        )
        what = `${target.type} with label ${describe(label)}`
      }
    }
    if (box.width < minimum - tolerance || box.height < minimum - tolerance) {
      problems.push(
        `tap target smaller than ${minimum} × ${minimum} px: ${what} is ${Math.round(box.width)} × ${Math.round(box.height)}`,
      )
    }
  }

  return problems
}
