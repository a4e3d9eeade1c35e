import { expect } from 'vitest'
import type { Visitor } from './check-visitor'

/** The details form as `/account/details` fills it for the signed-in member, with `changes` on top. */
export async function detailsForm(visitor: Visitor, changes: Record<string, string> = {}) {
  const page = await visitor.get('/account/details')
  expect(page.status).toBe(200)
  const fields: Record<string, string> = { csrf: visitor.csrf ?? '' }
  for (const match of page.body.matchAll(/<input[^>]*>/g)) {
    const tag = match[0]
    const name = tag.match(/name="([^"]+)"/)?.[1]
    const value = tag.match(/value="([^"]*)"/)?.[1] ?? ''
    if (!name || name === 'csrf') continue
    if (/type="radio"/.test(tag)) {
      if (/checked=""/.test(tag)) fields[name] = value
    } else fields[name] = value.replaceAll('&amp;', '&')
  }
  fields.prefecture = page.body.match(/<option value="([^"]+)" selected="">/)?.[1] ?? ''
  return { ...fields, ...changes }
}
