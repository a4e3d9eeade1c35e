import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashPassword } from '~/accounts/password-hash.server'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { newEnrolmentPassword } from '~/staff/enrolment-password.server'
import { evaluateStaffPassword } from '~/staff/staff-password-policy.server'

/**
 * A staff member's new password: the members' policy, never under 15
 * characters whatever members may use, and never the enrolment password,
 * however it is retyped.
 */

const STRONG = 'Tangerine umbrella 47 lighthouse'
const config = { PASSWORD_MIN_LENGTH: 8, PWNED_PASSWORDS_URL: undefined }

let enrolmentPassword: string
let staff: { email: string; name: string; enrolmentPasswordHash: string }

beforeAll(async () => {
  enrolmentPassword = newEnrolmentPassword()
  staff = {
    email: 'kanri.tarou@example.co.jp',
    name: 'Kanrisha Tarou',
    enrolmentPasswordHash: await hashPassword(enrolmentPassword),
  }
})

afterAll(() => stopPasswordWork())

const evaluate = (password: string) => evaluateStaffPassword({ password, staff, config })

describe("a staff member's new password", () => {
  it('takes a strong passphrase', async () => {
    expect(await evaluate(STRONG)).toMatchObject({ ok: true, refusals: [] })
  })

  it('is at least 15 characters even where members may use 8', async () => {
    expect(await evaluate('Zq7!mPw2-kR9vX')).toMatchObject({ ok: false, refusals: ['tooShort'] })
    expect((await evaluate('Zq7!mPw2-kR9vXy')).refusals).not.toContain('tooShort')
  })

  it('is never the enrolment password, as printed or retyped in lower case, without hyphens, O for 0', async () => {
    const retyped = [
      enrolmentPassword,
      enrolmentPassword.toLowerCase(),
      enrolmentPassword.replaceAll('-', ''),
      enrolmentPassword.replaceAll('0', 'O').replaceAll('1', 'l').replaceAll('-', ' '),
    ]
    for (const password of retyped) {
      const verdict = await evaluate(password)
      expect(verdict.ok, password).toBe(false)
      expect(verdict.refusals[0], password).toBe('enrolmentPassword')
    }
  })

  it("refuses the staff member's own name and e-mail address and the service's name", async () => {
    expect((await evaluate('kanrisha and the quiet lanterns')).refusals).toContain('personalInformation')
    expect((await evaluate('kanri.tarou quiet lanterns drift')).refusals).toContain('personalInformation')
    expect((await evaluate('sekaimon quiet lanterns drift')).refusals).toContain('serviceName')
  })
})
