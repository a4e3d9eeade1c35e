import { describe, expect, it } from 'vitest'
import { describeFailure } from '~/mail/outbox-sender.server'

/** An error shaped like the ones nodemailer rejects with. */
const smtpError = (fields: { responseCode?: number; code?: string; response?: string }) =>
  Object.assign(new Error('send failed'), fields)

describe('describeFailure', () => {
  it('treats a 5xx reply as permanent, keeping its code', () => {
    const failure = describeFailure(
      smtpError({ responseCode: 550, code: 'EENVELOPE', response: '550 5.1.1 User unknown' }),
    )
    expect(failure.permanent).toBe(true)
    expect(failure.reason).toMatch(/^SMTP 550/)
    expect(failure.reason).toBe('SMTP 550 5.1.1 (EENVELOPE)')
  })

  it('treats a 5xx reply without response text as permanent', () => {
    expect(describeFailure(smtpError({ responseCode: 554 }))).toEqual({ permanent: true, reason: 'SMTP 554' })
  })

  it.each([
    [451, '451 4.7.1 Greylisted, try again later'],
    [421, '421 4.3.2 Service not available, closing channel'],
  ])('treats a %i reply as temporary', (responseCode, response) => {
    const failure = describeFailure(smtpError({ responseCode, code: 'EENVELOPE', response }))
    expect(failure.permanent).toBe(false)
    expect(failure.reason).toMatch(new RegExp(`^SMTP ${responseCode}`))
  })

  it.each(['ECONNECTION', 'ETIMEDOUT'])('treats a broken connection (%s) as temporary', (code) => {
    expect(describeFailure(smtpError({ code }))).toEqual({ permanent: false, reason: `connection: ${code}` })
  })

  it('treats an error with nothing to go on as a temporary connection failure', () => {
    expect(describeFailure(new Error('boom'))).toEqual({ permanent: false, reason: 'connection failed' })
    expect(describeFailure(undefined)).toEqual({ permanent: false, reason: 'connection failed' })
    expect(describeFailure(null)).toEqual({ permanent: false, reason: 'connection failed' })
  })

  it('never repeats an address the server quoted', () => {
    const failure = describeFailure(
      smtpError({
        responseCode: 550,
        code: 'EENVELOPE',
        response: '550 5.1.1 <someone@example.jp>: Recipient address rejected',
      }),
    )
    expect(failure.permanent).toBe(true)
    expect(failure.reason).toMatch(/^SMTP 550 5\.1\.1/)
    expect(failure.reason).not.toContain('someone')
    expect(failure.reason).not.toContain('@')
    expect(failure.reason).not.toContain('example.jp')
  })

  it('never repeats an address from a multi-line reply or one without an enhanced code', () => {
    for (const response of [
      '550-5.1.1 <someone@example.jp>: Recipient address rejected\r\n550 5.1.1 see policy',
      '550 <someone@example.jp> no such user',
      'Recipient someone@example.jp rejected',
    ]) {
      const failure = describeFailure(smtpError({ responseCode: 550, response }))
      expect(failure.reason).toMatch(/^SMTP 550/)
      expect(failure.reason).not.toContain('@')
    }
  })
})
