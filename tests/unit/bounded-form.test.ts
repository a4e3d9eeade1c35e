import { describe, expect, it } from 'vitest'
import { registrationDetailsForm } from '~/accounts/registration-form'
import { boundedForm, choiceField, readForm, textField } from '~/forms/bounded-form'
import { emailField, passwordField, sixDigitCodeField } from '~/forms/fields'

const formOf = (fields: Record<string, string | Blob>) => {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  return form
}

/** A form whose pattern counts how often it ran. */
function countingForm() {
  const seen = { calls: 0 }
  const form = boundedForm({
    name: textField({ max: 10, required: 'required', tooLong: 'tooLong' }, (text) =>
      text.trim().refine(() => {
        seen.calls++
        return true
      }, 'invalid'),
    ),
  })
  return { form, seen }
}

describe('readForm', () => {
  it('refuses a field longer than its bound with its message, before any pattern runs', () => {
    const { form, seen } = countingForm()
    const parsed = readForm(formOf({ name: 'x'.repeat(11) }), form)
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ['name'], message: 'tooLong' })])
    expect(seen.calls).toBe(0)
  })

  it('counts a field as posted, spaces included, and reads one within its bound through its schema', () => {
    const { form, seen } = countingForm()
    const parsed = readForm(formOf({ name: ' 1234567890' }), form)
    expect(parsed).toEqual({ success: false, error: expect.anything() })
    expect(parsed.error?.issues[0]?.message).toBe('tooLong')
    expect(readForm(formOf({ name: '1234567890' }), form)).toEqual({
      success: true,
      data: { name: '1234567890' },
    })
    expect(seen.calls).toBe(1)
  })

  it('gives an absent field as absent, and ignores fields the form does not name', () => {
    const { form } = countingForm()
    const parsed = readForm(formOf({ other: 'y'.repeat(60_000) }), form)
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ['name'], message: 'required' })])
  })

  it('refuses a file where text is expected, without reading it', () => {
    const { form, seen } = countingForm()
    const parsed = readForm(formOf({ name: new Blob(['x'.repeat(60_000)]) }), form)
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['name'], message: 'required' })
    expect(seen.calls).toBe(0)
  })

  it('runs checks across fields only once every field is within its bound', () => {
    const details = registrationDetailsForm({ prefecturesFor: () => [] })
    const parsed = readForm(formOf({ postalCode: '1'.repeat(60_000), prefecture: '東京都' }), details)
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ path: ['postalCode'], message: 'details.errors.postalCodeFormat' }),
    ])
  })
})

describe('the bound inside each field’s schema', () => {
  it('stops zod before the pattern, even without the form reader', () => {
    const { form, seen } = countingForm()
    const parsed = form.schema.safeParse({ name: 'x'.repeat(60_000) })
    expect(parsed.error?.issues).toEqual([expect.objectContaining({ path: ['name'], message: 'tooLong' })])
    expect(seen.calls).toBe(0)
  })
})

describe('shared fields', () => {
  const email = boundedForm({ email: emailField({ required: 'required', invalid: 'invalid' }) })

  it.each([
    ['', 'required'],
    ['taro', 'invalid'],
    [`a@${'x.'.repeat(30_000)}@`, 'invalid'],
  ])('refuses the e-mail address %#', (typed, message) => {
    expect(readForm(formOf({ email: typed }), email).error?.issues[0]?.message).toBe(message)
  })

  it('takes an e-mail address with spaces around it: as shown, and as matched', () => {
    expect(readForm(formOf({ email: '  Taro@Example.jp ' }), email)).toEqual({
      success: true,
      data: { email: { shown: 'Taro@Example.jp', matched: 'taro@example.jp' } },
    })
  })

  const code = boundedForm({ code: sixDigitCodeField({ required: 'required', format: 'format' }) })

  it.each([
    ['123456', '123456'],
    ['１２３ ４５６', '123456'],
    ['123-456', '123456'],
  ])('reads the code %s', (typed, digits) => {
    expect(readForm(formOf({ code: typed }), code)).toEqual({ success: true, data: { code: digits } })
  })

  it.each([
    ['', 'required'],
    ['12345', 'format'],
    ['1'.repeat(33), 'format'],
  ])('refuses the code %#', (typed, message) => {
    expect(readForm(formOf({ code: typed }), code).error?.issues[0]?.message).toBe(message)
  })

  it('keeps a password exactly as typed, up to its bound', () => {
    const form = boundedForm({ password: passwordField({ tooLong: 'tooLong' }) })
    expect(readForm(formOf({ password: ' ｐａｓｓ ' }), form).data).toEqual({ password: ' ｐａｓｓ ' })
    expect(readForm(formOf({}), form).data).toEqual({ password: '' })
    expect(readForm(formOf({ password: 'p'.repeat(1025) }), form).error?.issues[0]?.message).toBe('tooLong')
  })

  it('takes one of a few choices, its fallback when absent', () => {
    const form = boundedForm({
      intent: choiceField(['save', 'show'], { invalid: 'invalid', fallback: 'save' }),
    })
    expect(readForm(formOf({}), form).data).toEqual({ intent: 'save' })
    expect(readForm(formOf({ intent: 'show' }), form).data).toEqual({ intent: 'show' })
    expect(readForm(formOf({ intent: 'other' }), form).error?.issues[0]?.message).toBe('invalid')
    expect(readForm(formOf({ intent: 'x'.repeat(60_000) }), form).error?.issues[0]?.message).toBe('invalid')
  })
})
