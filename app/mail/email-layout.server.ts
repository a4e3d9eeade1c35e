import { type Language, supportedLanguages } from '~/i18n/config'
import { type MailT, mailT } from './mail-i18n.server'

/**
 * The portal's one e-mail layout: a message in one or more languages, each a
 * title and sections, rendered as plain text and as simple HTML with inline
 * styles (mail clients drop style sheets). It writes no links and no images:
 * every string is text, HTML-escaped here and nowhere else.
 *
 * Strings may mark a phrase in another language as `<ja>…</ja>` or `<en>…</en>`,
 * as the site's translations do; HTML gets a `lang` span, plain text the bare phrase.
 */

export type EmailBlock =
  /** `markup: false` for text holding someone's input, whose `<ja>` must stay as typed. */
  | { kind: 'paragraph'; text: string; markup?: boolean }
  | { kind: 'list'; items: readonly string[] }
  /** A value the reader copies or types, such as a code or an address: set apart, never wrapped. */
  | { kind: 'code'; value: string }

export type EmailSection = { heading?: string; blocks: readonly EmailBlock[] }

/** The whole message in one language. */
export type EmailPart = { language: Language; title: string; sections: readonly EmailSection[] }

export type EmailLayoutInput = {
  /** The reader's language: the document's language, its part comes first. */
  language: Language
  subject: string
  parts: readonly EmailPart[]
}

export type RenderedEmail = { subject: string; text: string; html: string }

/** The reader's language first, then every other language the portal speaks. */
export function languagesFirst(language: Language): Language[] {
  return [language, ...supportedLanguages.filter((other) => other !== language)]
}

export function renderEmailLayout(input: EmailLayoutInput): RenderedEmail {
  // A line break in a header would let text become another header.
  if (/[\r\n]/.test(input.subject)) throw new Error('An e-mail subject must be a single line')
  if (input.parts.length === 0) throw new Error('An e-mail needs at least one part')
  return { subject: input.subject, text: renderText(input.parts), html: renderHtml(input) }
}

const TEXT_WIDTH = 72
const PART_SEPARATOR = '='.repeat(TEXT_WIDTH)
const langMarkup = /<(ja|en)>(.*?)<\/\1>/g

/** Notes at the top, in the later parts' languages, so their readers know to scroll. */
function laterPartNotes(parts: readonly EmailPart[]) {
  return parts.slice(1).map((part) => ({
    language: part.language,
    text: layoutStrings(part.language).otherLanguageBelow,
  }))
}

const translated = new Map<Language, { otherLanguageBelow: string; operator: string; desk: string }>()

/** The layout's own strings, translated once per language: mail is rendered by the million. */
function layoutStrings(language: Language) {
  let strings = translated.get(language)
  if (!strings) {
    const t: MailT = mailT(language, 'email')
    strings = {
      otherLanguageBelow: t('layout.otherLanguageBelow'),
      operator: t('layout.signature.operator'),
      desk: t('layout.signature.desk'),
    }
    translated.set(language, strings)
  }
  return strings
}

// ---- plain text ----

function renderText(parts: readonly EmailPart[]) {
  const notes = laterPartNotes(parts).map((note) => plain(note.text))
  const head = notes.length > 0 ? `${notes.join('\n')}\n\n` : ''
  return `${head}${parts.map(textPart).join(`\n\n${PART_SEPARATOR}\n\n`)}\n`
}

function textPart(part: EmailPart) {
  const wrapLine = (text: string, first = '', rest = '') => wrap(plain(text), part.language, first, rest)
  const chunks = [wrapLine(part.title).join('\n')]
  for (const section of part.sections) {
    if (section.heading !== undefined) chunks.push(wrapLine(section.heading, '■ ', '  ').join('\n'))
    for (const block of section.blocks) chunks.push(textBlock(block, part.language, wrapLine))
  }
  const { operator, desk } = layoutStrings(part.language)
  chunks.push(`${plain(operator)}\n${plain(desk)}`)
  return chunks.join('\n\n')
}

function textBlock(
  block: EmailBlock,
  language: Language,
  wrapLine: (text: string, first?: string, rest?: string) => string[],
) {
  switch (block.kind) {
    case 'paragraph':
      return block.markup === false
        ? wrap(flattened(block.text), language).join('\n')
        : wrapLine(block.text).join('\n')
    case 'list': {
      const bullet = language === 'ja' ? '・' : '- '
      const indent = language === 'ja' ? '　' : '  '
      return block.items.flatMap((item) => wrapLine(item, bullet, indent)).join('\n')
    }
    case 'code':
      return `    ${plain(block.value)}`
  }
}

/** Markup-free text: language marks removed, line breaks inside a value flattened. */
function plain(text: string) {
  return flattened(text.replace(langMarkup, '$2'))
}

const LINE_BREAK = /[\r\n]/

// Each run of white space that holds a line break becomes one space. (The one pattern
// `\s*[\r\n]+\s*` did so too, but backtracked quadratically over a long run of spaces.)
function flattened(text: string) {
  return text.replace(/\s+/g, (run) => (LINE_BREAK.test(run) ? ' ' : run))
}

/**
 * Word-wraps at spaces. Japanese has no spaces between words and, the way mail
 * clients show it, reads better unbroken, so it is left as one line.
 */
function wrap(text: string, language: Language, first = '', rest = ''): string[] {
  if (language === 'ja') return [first + text]
  const lines: string[] = []
  let line = first
  let lineHasWord = false
  for (const word of text.split(/ +/).filter(Boolean)) {
    if (lineHasWord && line.length + 1 + word.length > TEXT_WIDTH) {
      lines.push(line)
      line = rest
      lineHasWord = false
    }
    line += lineHasWord ? ` ${word}` : word
    lineHasWord = true
  }
  lines.push(line)
  return lines
}

// ---- HTML ----

const style = {
  body: 'margin:0;padding:0;background-color:#ffffff;color:#1a1a1a;',
  container:
    'max-width:640px;margin:0 auto;padding:24px 16px;font-family:sans-serif;font-size:16px;line-height:1.7;color:#1a1a1a;',
  note: 'margin:0 0 24px;font-size:14px;color:#4a4a4a;',
  title: 'margin:0 0 24px;font-size:22px;line-height:1.4;',
  heading: 'margin:32px 0 8px;font-size:18px;line-height:1.4;',
  paragraph: 'margin:0 0 16px;',
  list: 'margin:0 0 16px;padding-left:24px;',
  item: 'margin:0 0 8px;',
  code: 'display:inline-block;padding:8px 12px;border:1px solid #8a8a8a;border-radius:4px;font-family:monospace;font-size:20px;letter-spacing:0.08em;word-break:break-all;',
  separator: 'margin:40px 0;border:0;border-top:2px solid #8a8a8a;',
  signature: 'margin:32px 0 0;font-size:14px;color:#4a4a4a;',
} as const

function renderHtml(input: EmailLayoutInput) {
  const notes = laterPartNotes(input.parts).map(
    (note) => `<p lang="${note.language}" style="${style.note}">${rich(note.text)}</p>`,
  )
  const parts = input.parts.map(htmlPart).join(`\n<hr style="${style.separator}">\n`)
  return [
    '<!DOCTYPE html>',
    `<html lang="${input.language}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Asks clients that honour it not to turn numbers and addresses into links.
    '<meta name="format-detection" content="telephone=no, date=no, address=no, email=no">',
    `<title>${escapeHtml(input.subject)}</title>`,
    '</head>',
    `<body style="${style.body}">`,
    `<div style="${style.container}">`,
    ...notes,
    parts,
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n')
}

function htmlPart(part: EmailPart) {
  const lines = [`<div lang="${part.language}">`, `<h1 style="${style.title}">${rich(part.title)}</h1>`]
  for (const section of part.sections) {
    if (section.heading !== undefined)
      lines.push(`<h2 style="${style.heading}">${rich(section.heading)}</h2>`)
    lines.push(...section.blocks.map(htmlBlock))
  }
  const { operator, desk } = layoutStrings(part.language)
  lines.push(`<p style="${style.signature}">${rich(operator)}<br>${rich(desk)}</p>`, '</div>')
  return lines.join('\n')
}

function htmlBlock(block: EmailBlock) {
  switch (block.kind) {
    case 'paragraph':
      return `<p style="${style.paragraph}">${block.markup === false ? escapeHtml(block.text) : rich(block.text)}</p>`
    case 'list': {
      const items = block.items.map((item) => `<li style="${style.item}">${rich(item)}</li>`)
      return `<ul style="${style.list}">\n${items.join('\n')}\n</ul>`
    }
    case 'code':
      return `<p style="${style.paragraph}"><code style="${style.code}">${escapeHtml(block.value)}</code></p>`
  }
}

/** Escaped text whose language marks become `lang` spans. */
function rich(text: string) {
  return escapeHtml(text).replace(/&lt;(ja|en)&gt;(.*?)&lt;\/\1&gt;/g, '<span lang="$1">$2</span>')
}

export function escapeHtml(text: string) {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}
