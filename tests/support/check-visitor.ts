import { mkdtempSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { parse } from 'csv-parse/sync'
import { writeCsv } from './export-files'
import { plainTextOf } from './mail-decoding'
import { runPortalCommand, type Secrets } from './notified-population'
import { portalValue } from './portal-rows'
import type { PortalServer } from './portal-server'
import type { ReceivedMail, SmtpSink } from './smtp-sink'

/**
 * What the identity-check tests share: a visitor with a cookie jar that
 * speaks to the portal over real HTTP as a browser without JavaScript would,
 * reading the mail the portal sent, and running the import and notify
 * commands against the server's own database.
 */

export type Page = {
  status: number
  headers: Headers
  /** The Location header, for redirects. */
  location: string | null
  /** The `Set-Cookie` headers of this response, one per cookie. */
  setCookies: string[]
  body: string
  /** How long the request took, from sending to the last byte of the body, in milliseconds. */
  ms: number
}

export type Fields = Record<string, string>

const CSRF_FIELD = /<input type="hidden" name="csrf" value="([^"]*)"/
const SWITCHER_TOKEN = /<input type="hidden" name="csrf-language" value="([^"]*)"/

/** The form token of a page, if it has a form. */
export function csrfOf(html: string): string | undefined {
  return html.match(CSRF_FIELD)?.[1]
}

export class Visitor {
  /** Cookie values by name, as a browser would keep them for this origin. */
  readonly cookies = new Map<string, string>()
  /** The form token the last page with a form carried (it stays valid as long as the CSRF cookie). */
  csrf: string | undefined

  constructor(
    readonly base: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  async request(
    path: string,
    {
      method = 'GET',
      body,
      headers = {},
    }: { method?: string; body?: Fields | FormData; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const cookie = this.cookieHeader()
    const started = performance.now()
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...this.defaultHeaders, ...(cookie ? { Cookie: cookie } : {}), ...headers },
      body: body instanceof FormData ? body : body ? new URLSearchParams(body) : undefined,
      redirect: 'manual',
    })
    const text = await response.text()
    const ms = performance.now() - started
    const setCookies = response.headers.getSetCookie()
    for (const line of setCookies) {
      const [pair = ''] = line.split(';')
      const separator = pair.indexOf('=')
      const name = pair.slice(0, separator).trim()
      const value = pair.slice(separator + 1).trim()
      if (value === '' || /;\s*Max-Age=0\b/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    const token = csrfOf(text)
    if (token) this.csrf = token
    return {
      status: response.status,
      headers: response.headers,
      location: response.headers.get('location'),
      setCookies,
      body: text,
      ms,
    }
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request(path, { headers })
  }

  /**
   * A same-origin form POST, with the form token unless `fields` says
   * otherwise (fetch sends no Origin by itself; a browser would).
   */
  post(path: string, fields: Fields, headers: Record<string, string> = {}) {
    return this.request(path, {
      method: 'POST',
      body: fields,
      headers: { Origin: this.base, ...headers },
    })
  }

  /** A same-origin multipart POST (a form with files), fields and files as the caller built them. */
  postMultipart(path: string, form: FormData, headers: Record<string, string> = {}) {
    return this.request(path, { method: 'POST', body: form, headers: { Origin: this.base, ...headers } })
  }

  /** Opens the form's page first when there is no token yet, then posts it as a browser would. */
  async submit(path: string, fields: Fields, headers?: Record<string, string>) {
    if (!this.csrf) {
      const page = await this.get(path)
      if (page.status !== 200 || !this.csrf) throw new Error(`no form at ${path}: ${page.status}`)
    }
    return this.post(path, { csrf: this.csrf ?? '', ...fields }, headers)
  }
}

/**
 * A page with what legitimately differs between two requests taken out: the
 * CSP nonce, and the given values (form tokens, echoed input), each replaced
 * by a placeholder wherever it occurs, the hydration data included.
 */
export function withoutTokens(html: string, values: Record<string, string | undefined>) {
  let out = html.replace(/nonce="[^"]*"/g, 'nonce="NONCE"')
  // The language switcher's own token, in its form and in the root loader's hydration data.
  const switcherToken = html.match(SWITCHER_TOKEN)?.[1]
  if (switcherToken) out = out.replaceAll(switcherToken, '{switcherCsrf}')
  for (const [placeholder, value] of Object.entries(values)) {
    if (value) out = out.replaceAll(value, `{${placeholder}}`)
  }
  return out
}

// ---- mail ----

/** The decoded text of every text/plain part of a raw message. */
export const plainText = plainTextOf

/** The 6-digit code of a code e-mail: printed alone on an indented line. */
export function emailCodeOf(mail: ReceivedMail): string | undefined {
  return plainText(mail.raw).match(/^ {4}(\d{6})\s*$/m)?.[1]
}

const SYMBOL = '[0-9A-HJKMNP-TV-Z]'
const LETTER_CODE = new RegExp(`${SYMBOL}{4}-${SYMBOL}{4}-${SYMBOL}{4}-${SYMBOL}(?![0-9A-Z])`)

/** The letter code of a notice e-mail. */
export function letterCodeOf(mail: ReceivedMail): string | undefined {
  return plainText(mail.raw).match(LETTER_CODE)?.[0]
}

/**
 * The first message to `address` at or after position `from` of the sink that
 * `accept` takes, waiting for it (the portal's sender polls its outbox every second).
 */
export async function mailTo(
  sink: SmtpSink,
  address: string,
  {
    from = 0,
    accept = () => true,
    timeoutMs = 45_000,
  }: {
    from?: number
    accept?: (mail: ReceivedMail) => boolean
    timeoutMs?: number
  } = {},
): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs
  const wanted = address.toLowerCase()
  for (;;) {
    const found = sink.received
      .slice(from)
      .find((mail) => mail.to.some((to) => to.toLowerCase() === wanted) && accept(mail))
    if (found) return found
    if (Date.now() > deadline)
      throw new Error(`no mail to ${address} after ${timeoutMs} ms (${sink.received.length} received)`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The 6-digit code of the next code e-mail to `address` after position `from`. */
export async function emailCodeTo(sink: SmtpSink, address: string, from: number) {
  const mail = await mailTo(sink, address, { from, accept: (m) => emailCodeOf(m) !== undefined })
  return emailCodeOf(mail) as string
}

// ---- the server's database ----

/** The environment the portal's commands need to work on a running server's database (its DATABASE_URL). */
export function commandEnv(databaseUrl: string, secrets: Secrets): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    ...secrets,
  }
}

/**
 * Writes the given export files (name → rows, header first) into a fresh
 * folder beside the database and imports them into the server's database
 * (a SQLite file, or a running portal's database on either backend); with
 * `notify`, then runs the notice command with postcard and handout files in
 * that folder.
 */
export async function importExport(
  database: string | Pick<PortalServer, 'dataDirectory' | 'databaseUrl'>,
  secrets: Secrets,
  files: Record<string, string[][]>,
  { notify = false }: { notify?: boolean } = {},
) {
  const [folder, databaseUrl] =
    typeof database === 'string'
      ? [dirname(database), database]
      : [database.dataDirectory, database.databaseUrl]
  // Beside the database (in the server's folder), so it goes when the server's folder does.
  const directory = mkdtempSync(join(folder, 'export-'))
  for (const [name, rows] of Object.entries(files)) writeCsv(join(directory, name), rows)
  const env = commandEnv(databaseUrl, secrets)
  const imported = await runPortalCommand('app/cli/import.ts', {
    cwd: directory,
    env,
    args: ['--json', directory],
  })
  if (imported.status !== 0) throw new Error(`import exited with ${imported.status}: ${imported.stderr}`)
  const postcards = join(directory, 'postcards.csv')
  const handouts = join(directory, 'handouts.csv')
  if (!notify) return { directory, postcards, handouts, summary: undefined }
  const notified = await runPortalCommand('app/cli/notify.ts', {
    cwd: directory,
    env,
    args: ['--json', '--postcards', postcards, '--handouts', handouts],
  })
  if (notified.status !== 0) throw new Error(`notify exited with ${notified.status}: ${notified.stderr}`)
  const summary = JSON.parse(notified.stdout) as { email: number; postcard: number; handout: number }
  return { directory, postcards, handouts, summary }
}

/** The rows of a postcard or handout file notify wrote (UTF-8 with a BOM, a header line). */
export function printerRows(path: string): Record<string, string>[] {
  return parse(readFileSync(path), { bom: true, columns: true }) as Record<string, string>[]
}

/** Runs a read-only query against the server's database. */
export function readDatabase<T>(databasePath: string, read: (db: Database.Database) => T): T {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true })
  try {
    return read(db)
  } finally {
    db.close()
  }
}

/** How many e-mails the portal has put in its outbox so far, sent or not. */
export function outboxCount(databasePath: string) {
  return readDatabase(
    databasePath,
    (db) => db.prepare('select count(*) from outbox_messages').pluck().get() as number,
  )
}

/** As `outboxCount`, for a running portal on either backend (its DATABASE_URL). */
export async function queuedEmails(databaseUrl: string) {
  return (await portalValue<number>(databaseUrl, 'select count(*) from outbox_messages')) ?? 0
}

// ---- limits ----

/**
 * Waits, if need be, until the fixed limit window of `windowMs` has at least
 * `marginMs` left, so that a test counting up to a limit never sees the
 * window (and its count) change under it.
 */
export async function awayFromWindowEdge(windowMs: number, marginMs = 10_000) {
  const left = windowMs - (Date.now() % windowMs)
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 100))
}
