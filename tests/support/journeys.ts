import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Page, Request, Response } from 'playwright-core'
import { newMessageReference } from '~/codes/message-reference.server'
import { commandEnv, emailCodeTo, mailTo, printerRows, Visitor } from './check-visitor'
import { plainTextOf } from './mail-decoding'
import { runPortalCommand } from './notified-population'
import { type PortalServer, startPortal } from './portal-server'
import { testSecrets } from './secrets'
import { type SmtpSink, startSmtpSink } from './smtp-sink'

/**
 * The customer journeys of the README's demo people, walked in one browser
 * tab page by page, stopping at every page and state a customer can see so
 * that a caller can look at it: `npm run screenshots` photographs each, the
 * layout test (tests/browser/layout.test.ts) measures each. Each walk gets a
 * portal of its own, started on a copy of one notified demo database, so
 * every walk finds the same people in the same state (見本 花子 has not yet
 * set her password, 架空 美咲's letter code is unused, no limit is counting).
 */

export type Language = 'ja' | 'en'

/** One page in one state, as the walk stops at it. */
export type PageState = {
  /** `page-state`, for file names and reports: `check-email-code-wrong`. */
  name: string
  /** What it is, in a few words. */
  description: string
  /** The HTTP status of the response that showed it (the document, or the form's POST). */
  status: number | undefined
}

/**
 * States the walk does not stop at, and where they are looked at instead:
 * each needs a clock, a limit or a lost cookie that a walk through the demo
 * people cannot bring about without spoiling the stops after it.
 */
export const STATES_WALKED_ELSEWHERE = [
  'check-letter-locked, check-letter-expired: tests/browser/letter-code-states.test.ts',
  'check-email-code-spent, -wait, -locked, -closed: tests/browser/email-code-states.test.ts',
  'form-expired (a POST whose CSRF cookie is gone): tests/browser/readable-pages.test.ts',
] as const

/** The README's demo identities (db/generate/demo-people.ts), as the walk uses them. */
export const DEMO = {
  hanako: {
    email: 'hanako.mihon@example.jp',
    memberId: 'M00000001',
    exposedPassword: 'MihonHanako2012',
    newPassword: 'quiet harbour lanterns drift 47',
    /** The address she changes to on the details page. */
    newEmail: 'hanako.new@example.jp',
  },
  /** 架空 美咲: an auction buyer without an e-mail address, notified by postcard. */
  misaki: { recipient: '架空', phone: '070-0000-0004', wrongPhone: '070-0000-0099' },
  /** 試験 太郎: a member without an e-mail address, notified by postcard. */
  taro: { recipient: '試験', birthDate: '1948-11-03', newPassword: 'plum blossoms over osaka bay at dusk' },
  /** 模擬 健太: an employee, notified by e-mail. */
  kenta: { email: 'kenta.mogi@example.co.jp' },
  /** 標本 誠: warehouse staff, handed a printed notice at work. */
  makoto: { staffId: 'W000001' },
} as const

/** What the notices told the demo people, read once from the mail and the postcard file. */
export type NoticeFacts = {
  /** 見本 花子's notice e-mail's message reference. */
  hanakoReference: string
  /** 架空 美咲's letter code, from the postcard file. */
  misakiLetterCode: string
  /** 試験 太郎's letter code, from the postcard file. */
  taroLetterCode: string
  /** The message reference of 標本 誠's handout, from the handout file. */
  makotoReference: string
}

export type JourneyWorld = {
  sink: SmtpSink
  facts: NoticeFacts
  /** A portal on a fresh copy of the notified demo database, sending its mail to `sink`. */
  startPortal: () => Promise<PortalServer>
  close: () => Promise<void>
}

/** A message reference as notices print it. */
const MESSAGE_REFERENCE = /R-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}/

/** How long the tab must send nothing for a page to count as settled. */
const QUIET_MS = 300

/**
 * Per client IP and 15 minutes. A walk's own wrong answers (a code, a letter
 * answer, a password, a message check) stay well below; the 429 stop reaches
 * it from an address of its own.
 */
const FAILURE_LIMIT = 10

/**
 * The SMTP sink, and the demo database as `npm start` makes it with `npm run
 * notify` run against it (postcards and handouts written to files), its
 * notice e-mails delivered. The built portal must exist (`npm run build`, or
 * the tests' build-once setup).
 */
export async function prepareJourneys(): Promise<JourneyWorld> {
  const secrets = testSecrets()
  const folder = mkdtempSync(join(tmpdir(), 'portal-journeys-'))
  const snapshot = join(folder, 'notified.db')
  let sink: SmtpSink | undefined
  let portal: PortalServer | undefined
  const running = new Set<PortalServer>()
  const close = async () => {
    await Promise.allSettled([...running].map((server) => server.stop()))
    await sink?.close()
    rmSync(folder, { recursive: true, force: true })
  }
  const environment = (smtp: SmtpSink) => ({
    ...secrets,
    PORTAL_DEMO_DATA: 'on',
    SMTP_URL: smtp.url,
    SMTP_RATE: '1000',
    MAIL_FROM: 'Sekaimon <no-reply@portal.example>',
  })
  try {
    sink = await startSmtpSink()
    portal = await startPortal({ env: environment(sink) })
    const postcards = join(folder, 'postcards.csv')
    const handouts = join(folder, 'handouts.csv')
    const notified = await runPortalCommand('app/cli/notify.ts', {
      cwd: folder,
      env: commandEnv(portal.databasePath, secrets),
      args: ['--json', '--postcards', postcards, '--handouts', handouts],
    })
    if (notified.status !== 0) throw new Error(`notify exited with ${notified.status}: ${notified.stderr}`)
    const { email } = JSON.parse(notified.stdout) as { email: number }
    const notice = await mailTo(sink, DEMO.hanako.email, {
      accept: (mail) => MESSAGE_REFERENCE.test(plainTextOf(mail.raw)),
    })
    const hanakoReference = plainTextOf(notice.raw).match(MESSAGE_REFERENCE)?.[0]
    const postcardTo = (recipient: string) =>
      printerRows(postcards).find((row) => row.recipient?.includes(recipient))?.letter_code
    const misakiLetterCode = postcardTo(DEMO.misaki.recipient)
    const taroLetterCode = postcardTo(DEMO.taro.recipient)
    const makotoReference = printerRows(handouts).find(
      (row) => row.id === DEMO.makoto.staffId,
    )?.message_reference
    if (!hanakoReference || !misakiLetterCode || !taroLetterCode || !makotoReference)
      throw new Error('the notices lack a reference or letter code a demo person should have had')
    // Every notice delivered, so that no copy of the database sends them again.
    // About 1,800 notices: some 30 s on an idle 2-core machine, more beside the other test files.
    await sink.waitFor(email, 240_000)
    await new Database(portal.databasePath, { readonly: true }).backup(snapshot)
    await portal.stop()
    const smtp = sink
    return {
      sink: smtp,
      facts: { hanakoReference, misakiLetterCode, taroLetterCode, makotoReference },
      startPortal: async () => {
        const database = join(mkdtempSync(join(folder, 'walk-')), 'portal.db')
        copyFileSync(snapshot, database)
        const server = await startPortal({
          env: {
            ...environment(smtp),
            DATABASE_URL: database,
            // The 429 stop speaks from an address of its own (X-Forwarded-For).
            TRUST_PROXY: '1',
            IP_FAILURE_LIMIT: String(FAILURE_LIMIT),
          },
        })
        running.add(server)
        return {
          ...server,
          stop: async () => {
            running.delete(server)
            await server.stop()
          },
        }
      },
      close,
    }
  } catch (error) {
    await portal?.stop()
    await close()
    throw error
  }
}

/**
 * Walks every customer page and state in `page`'s tab, in `language`, on a
 * portal of its own, yielding at each stop once the page has settled. The
 * caller may resize the viewport at a stop, and must not navigate. The walk
 * throws when a page is not the one it expected (the stop's name says where).
 */
export async function* walkJourneys(
  world: JourneyWorld,
  page: Page,
  { language, javaScriptEnabled }: { language: Language; javaScriptEnabled: boolean },
): AsyncGenerator<PageState> {
  const portal = await world.startPortal()
  const headers = { 'Accept-Language': language }
  let walk: Walk | undefined
  try {
    // Cookies are per host, not per port: another walk's session and language must not leak in.
    await page.context().clearCookies()
    await page.setExtraHTTPHeaders(headers)
    walk = new Walk(page, portal, world.sink, javaScriptEnabled)
    const { hanako, misaki, taro } = DEMO
    const { facts } = world

    yield await walk.open('incident', 'the incident notice', `/?lng=${language}`, '/')
    yield await walk.open('privacy', 'the privacy notice', '/privacy')
    yield await walk.open('check', 'the choice of identity checks', '/check')
    yield await walk.open('not-found', 'a page that does not exist', '/no-such-page')

    yield await walk.open('message-check-empty', 'is this message from us? empty', '/message-check')
    yield await walk.submit('message-check-sent', 'a message we sent', '/message-check', {
      reference: facts.hanakoReference,
      address: hanako.email,
    })
    yield await walk.submit('message-check-not-sent', 'a message we did not send', '/message-check', {
      reference: newMessageReference().printed,
      address: hanako.email,
    })
    yield await walk.submit('message-check-mistyped', 'a reference with a typo', '/message-check', {
      reference: mistyped(facts.hanakoReference),
      address: hanako.email,
    })
    yield await walk.submit(
      'message-check-handout',
      'a handout checked with its staff ID',
      '/message-check',
      {
        reference: facts.makotoReference,
        address: '',
        staffId: DEMO.makoto.staffId,
      },
    )

    // 見本 花子, a member, by e-mail: her exposure, new password, details, a new address, ready.
    yield await walk.open('check-email-empty', 'the e-mail check, empty', '/check/email')
    let mailSeen = world.sink.received.length
    yield await walk.submit('check-email-code-fresh', 'the code form, code just sent', '/check/email/code', {
      email: hanako.email,
    })
    const code = await emailCodeTo(world.sink, hanako.email, mailSeen)
    yield await walk.submit(
      'check-email-code-wrong',
      'the code form after a wrong code',
      '/check/email/code',
      {
        code: code === '000000' ? '111111' : '000000',
      },
    )
    yield await walk.submit('exposure-member', "a member's exposure view (見本 花子)", '/exposure', { code })
    yield await walk.open('account-password-empty', 'the new password form', '/account', '/account/password')
    yield await walk.submit('account-password-refused', 'the exposed password refused', '/account/password', {
      password: hanako.exposedPassword,
    })
    yield await walk.submit('account-details', 'the details to re-confirm', '/account/details', {
      password: hanako.newPassword,
    })
    mailSeen = world.sink.received.length
    yield await walk.submit('account-email', 'the code for a changed address', '/account/email', {
      email: hanako.newEmail,
    })
    const changeCode = await emailCodeTo(world.sink, hanako.newEmail, mailSeen)
    yield await walk.submit('account-ready', 'ready: every step done', '/account', { code: changeCode })
    yield await walk.signOut('signout', 'signed out: the confirmation page')
    yield await walk.open('session-ended', 'a personal page without a session', '/exposure', null)
    yield await walk.open('signin-empty', 'sign in, empty', '/signin')
    yield await walk.submit('signin-refused', 'sign in with a wrong password', '/signin', {
      email: hanako.newEmail,
      password: 'not her password at all 1',
    })
    yield await walk.submit('signin-member-id', 'signed in by member ID and password', '/account', {
      email: hanako.memberId,
      password: hanako.newPassword,
    })
    await walk.signOut(null, '')

    // 模擬 健太, an employee, by e-mail.
    await walk.open(null, '', '/check/email')
    mailSeen = world.sink.received.length
    await walk.submit(null, '', '/check/email/code', { email: DEMO.kenta.email })
    yield await walk.submit('exposure-employee', "an employee's exposure view (模擬 健太)", '/exposure', {
      code: await emailCodeTo(world.sink, DEMO.kenta.email, mailSeen),
    })
    await walk.signOut(null, '')

    // 試験 太郎, a member without an e-mail address, by the letter code of his postcard.
    await walk.open(null, '', '/check/letter')
    await walk.submit(null, '', '/exposure', { code: facts.taroLetterCode, proof: taro.birthDate })
    await walk.open(null, '', '/account', '/account/password')
    yield await walk.submit(
      'account-details-no-email',
      'the details of a member without e-mail',
      '/account/details',
      {
        password: taro.newPassword,
      },
    )
    await walk.signOut(null, '')

    // 架空 美咲, not a member, by the letter code of her postcard.
    yield await walk.open('check-letter-empty', 'the letter code check, empty', '/check/letter')
    yield await walk.submit('check-letter-wrong', 'a wrong second factor', '/check/letter', {
      code: facts.misakiLetterCode,
      proof: misaki.wrongPhone,
    })
    yield await walk.submit('exposure-non-member', "a non-member's exposure view (架空 美咲)", '/exposure', {
      code: facts.misakiLetterCode,
      proof: misaki.phone,
    })
    yield await walk.signOut('exposure-signed-out', 'signed out from the exposure view')
    await walk.open(null, '', '/check/letter')
    yield await walk.submit('check-letter-again', 'the same letter code used again', '/exposure', {
      code: facts.misakiLetterCode,
      proof: misaki.phone,
    })
    await walk.signOut(null, '')

    // A client that gave too many wrong answers, from an address of its own.
    const client = { 'X-Forwarded-For': '203.0.113.14' }
    await exhaustFailures(portal.url, client, facts.misakiLetterCode)
    await page.setExtraHTTPHeaders({ ...headers, ...client })
    await walk.open(null, '', '/check/letter')
    yield await walk.submit('too-many-requests', 'refused by the failure limit (429)', '/check/letter', {
      code: facts.misakiLetterCode,
      proof: misaki.wrongPhone,
    })
  } finally {
    walk?.end()
    await page.setExtraHTTPHeaders({}).catch(() => {})
    await portal.stop()
  }
}

/** `reference` with its check symbol (the last character) changed: a typo the portal catches. */
function mistyped(reference: string) {
  const last = reference.at(-1)
  return `${reference.slice(0, -1)}${last === '7' ? '8' : '7'}`
}

/** Wrong letter-code answers from `client` until the portal refuses it with 429. */
async function exhaustFailures(base: string, client: Record<string, string>, letterCode: string) {
  const visitor = new Visitor(base, client)
  for (let tries = 0; tries <= FAILURE_LIMIT + 2; tries++) {
    const answer = await visitor.submit('/check/letter', { code: letterCode, proof: '000-0000-0000' })
    if (answer.status === 429) return
  }
  throw new Error(`no 429 after ${FAILURE_LIMIT + 2} wrong answers at /check/letter`)
}

/** The tab, and how to move it from stop to stop. */
class Walk {
  /** The tab's requests not yet answered in full. */
  private readonly pending = new Set<Request>()
  private readonly add = (request: Request) => {
    this.pending.add(request)
  }
  private readonly remove = (request: Request) => {
    this.pending.delete(request)
  }

  constructor(
    readonly page: Page,
    readonly portal: PortalServer,
    readonly sink: SmtpSink,
    readonly javaScriptEnabled: boolean,
  ) {
    page.on('request', this.add)
    page.on('requestfinished', this.remove)
    page.on('requestfailed', this.remove)
  }

  end() {
    this.page.off('request', this.add)
    this.page.off('requestfinished', this.remove)
    this.page.off('requestfailed', this.remove)
  }

  /**
   * Opens `path`, expecting to land on `expected` (by default `path` itself;
   * null: anywhere).
   */
  async open(name: string, description: string, path: string, expected?: string | null): Promise<PageState>
  async open(name: null, description: string, path: string, expected?: string | null): Promise<undefined>
  async open(name: string | null, description: string, path: string, expected: string | null = path) {
    const response = await this.page.goto(`${this.portal.url}${path}`)
    await this.settle()
    if (name === null) return undefined
    this.expectAt(name, expected)
    return { name, description, status: response?.status() }
  }

  /**
   * Fills the fields of the page's form that has them (by name), presses its
   * main button, and expects to land on `expected`.
   */
  async submit(
    name: string,
    description: string,
    expected: string,
    fields: Record<string, string>,
  ): Promise<PageState>
  async submit(
    name: null,
    description: string,
    expected: string,
    fields: Record<string, string>,
  ): Promise<undefined>
  async submit(
    name: string | null,
    description: string,
    expected: string,
    fields: Record<string, string>,
  ): Promise<PageState | undefined> {
    const names = Object.keys(fields)
    const form = this.page
      .locator('main form')
      .filter({ has: this.page.locator(`[name="${names[0]}"]`) })
      .first()
    for (const [field, value] of Object.entries(fields)) await form.locator(`[name="${field}"]`).fill(value)
    const status = await this.post(() =>
      form.locator('button.button--primary[type="submit"]').first().click(),
    )
    this.expectAt(name ?? description, expected)
    if (name === null) return undefined
    return { name, description, status }
  }

  /** Presses the page's sign-out button, which leads to the confirmation page. */
  async signOut(name: string, description: string): Promise<PageState>
  async signOut(name: null, description: string): Promise<undefined>
  async signOut(name: string | null, description: string): Promise<PageState | undefined> {
    const status = await this.post(() =>
      this.page.locator('form[action="/signout"] button[type="submit"]').first().click(),
    )
    this.expectAt(name ?? 'sign-out', '/signout/done')
    if (name === null) return undefined
    return { name, description, status }
  }

  /** Does `act`, which sends a form, and waits for its answer and whatever page follows. */
  private async post(act: () => Promise<void>) {
    const answered = this.page.waitForResponse((response) => response.request().method() === 'POST', {
      timeout: 30_000,
    })
    await act()
    const response: Response = await answered
    await this.settle()
    return response.status()
  }

  /**
   * Waits for the tab to be quiet (no request for a moment: a redirect's next
   * request, or the client router's, follows within it), the page loaded and,
   * with JavaScript, React in charge of it. Playwright's "networkidle" would
   * not do: it is a state a document reaches once, and a client-side
   * navigation keeps the document.
   */
  private async settle() {
    const deadline = Date.now() + 30_000
    let quietSince = Date.now()
    while (Date.now() - quietSince < QUIET_MS) {
      if (Date.now() > deadline)
        throw new Error(`requests still open after 30 s: ${[...this.pending].map((r) => r.url()).join(', ')}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
      if (this.pending.size > 0) quietSince = Date.now()
    }
    await this.page.waitForLoadState('load')
    if (!this.javaScriptEnabled) return
    await this.page.waitForFunction(
      () => {
        const body = document.querySelector('body')
        return body != null && Object.keys(body).some((key) => key.startsWith('__reactProps$'))
      },
      undefined,
      { timeout: 15_000 },
    )
  }

  private expectAt(name: string, expected: string | null) {
    if (expected === null) return
    const { pathname } = new URL(this.page.url())
    if (pathname !== expected)
      throw new Error(
        `the walk expected ${name} at ${expected}, but the tab shows ${pathname}: ${this.page.url()}`,
      )
  }
}
