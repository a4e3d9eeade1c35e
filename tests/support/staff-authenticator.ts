import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { Secret, TOTP } from 'otpauth'
import type { Visitor } from './check-visitor'
import { portalRun } from './portal-rows'

/**
 * A staff member's authenticator app, as tests hold it: the key read off the
 * enrolment page, and codes computed from it. The portal refuses a time step
 * it has accepted before (RFC 6238 §5.2), so the app remembers the last step
 * it gave and gives the next one; one step ahead of the clock is inside the
 * portal's window, and further ahead it waits for the clock.
 */

const PERIOD_MS = 30_000

export class Authenticator {
  private lastStep = Number.NEGATIVE_INFINITY

  constructor(readonly secret: string) {}

  private totp() {
    return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(this.secret) })
  }

  /** The code at a given step: for tests of the window and of replays. */
  codeAtStep(step: number) {
    return this.totp().generate({ timestamp: step * PERIOD_MS })
  }

  /** A code of a step the portal has not accepted yet, waiting for the clock when one ahead is used up. */
  async nextCode() {
    for (;;) {
      const now = Math.floor(Date.now() / PERIOD_MS)
      // Never a step behind the clock: the portal's clock may turn over before the code arrives.
      const step = Math.max(now, this.lastStep + 1)
      if (step <= now + 1) {
        this.lastStep = step
        return this.codeAtStep(step)
      }
      await sleep((now + 1) * PERIOD_MS - Date.now() + 50)
    }
  }

  /** Six digits that no step in the portal's window (or just beyond it) would accept now. */
  wrongCode() {
    const now = Authenticator.currentStep()
    const near = new Set([-2, -1, 0, 1, 2].map((offset) => this.codeAtStep(now + offset)))
    for (let digit = 0; ; digit++) {
      const code = String(digit % 10).repeat(6)
      if (!near.has(code)) return code
    }
  }

  /** Marks a step as used elsewhere (a code the test sent on its own). */
  spent(step: number) {
    this.lastStep = Math.max(this.lastStep, step)
  }

  static currentStep() {
    return Math.floor(Date.now() / PERIOD_MS)
  }
}

const KEY = /<p class="totp-enrolment__key"><code translate="no">([A-Z2-7 ]+)<\/code>/
const RECOVERY_CODE = /<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})<\/code><\/li>/g

/** The key the enrolment page shows, or undefined when the page is not an enrolment. */
export function enrolmentKeyOf(html: string) {
  return KEY.exec(html)?.[1]?.replaceAll(' ', '')
}

export function recoveryCodesOf(html: string) {
  return [...html.matchAll(RECOVERY_CODE)].map((match) => match[1] as string)
}

export type EnrolledStaff = { visitor: Visitor; authenticator: Authenticator; recoveryCodes: string[] }

/**
 * A first sign-in to its end: enrolment password, a password of one's own,
 * the authenticator app enrolled with a code computed from the page's key.
 * The visitor leaves signed in with both factors.
 */
export async function enrolStaff(
  visitor: Visitor,
  {
    email,
    enrolmentPassword,
    newPassword,
  }: { email: string; enrolmentPassword: string; newPassword: string },
): Promise<EnrolledStaff> {
  const signedIn = await visitor.submit('/staff/login', { email, password: enrolmentPassword })
  if (signedIn.location !== '/staff/password') throw new Error(`sign-in went to ${signedIn.location}`)
  await visitor.get('/staff/password')
  const changed = await visitor.post('/staff/password', { csrf: visitor.csrf ?? '', password: newPassword })
  if (changed.location !== '/staff/login/mfa') throw new Error(`password change answered ${changed.status}`)
  const page = await visitor.get('/staff/login/mfa')
  const secret = enrolmentKeyOf(page.body)
  if (!secret) throw new Error(`no enrolment key on the second-factor page (${page.status})`)
  const authenticator = new Authenticator(secret)
  const confirmed = await visitor.post('/staff/login/mfa', {
    csrf: visitor.csrf ?? '',
    intent: 'enrol',
    code: await authenticator.nextCode(),
  })
  const recoveryCodes = recoveryCodesOf(confirmed.body)
  if (confirmed.status !== 200 || recoveryCodes.length !== 10) {
    throw new Error(`enrolment answered ${confirmed.status} with ${recoveryCodes.length} recovery codes`)
  }
  return { visitor, authenticator, recoveryCodes }
}

/** A later sign-in: password, then a fresh code from the app. Answers the second step's response. */
export async function signInWithApp(
  visitor: Visitor,
  { email, password, authenticator }: { email: string; password: string; authenticator: Authenticator },
) {
  const signedIn = await visitor.submit('/staff/login', { email, password })
  if (signedIn.location !== '/staff/login/mfa') throw new Error(`sign-in went to ${signedIn.location}`)
  await visitor.get('/staff/login/mfa')
  return visitor.post('/staff/login/mfa', {
    csrf: visitor.csrf ?? '',
    intent: 'verify',
    code: await authenticator.nextCode(),
  })
}

const SECOND_FACTOR_AGE = 'update staff_sessions set second_factor_at = ?'
const tenMinutesAgo = () => Date.now() - 10 * 60 * 1000

/** As if every staff session's second factor had been given ten minutes ago: the next step-up asks again. */
export function ageStaffSecondFactors(databasePath: string) {
  const db = new Database(databasePath)
  try {
    db.prepare(SECOND_FACTOR_AGE).run(tenMinutesAgo())
  } finally {
    db.close()
  }
}

/** As `ageStaffSecondFactors`, in a running portal's database on either backend (its DATABASE_URL). */
export async function ageStaffSecondFactorsOn(databaseUrl: string) {
  await portalRun(databaseUrl, SECOND_FACTOR_AGE, tenMinutesAgo())
}
