import { describe, expect, it } from 'vitest'
import { safeRedirect } from '~/ui/safe-redirect'

describe('safeRedirect', () => {
  it.each([
    ['/privacy', '/privacy'],
    ['/check?step=2#top', '/check?step=2#top'],
    ['/', '/'],
    ['/check/../privacy', '/privacy'],
    ['/a/./b', '/a/b'],
  ])('keeps the on-site path %s', (input, expected) => {
    expect(safeRedirect(input)).toBe(expected)
  })

  it.each([
    '//evil.example/',
    '/\\evil.example',
    '/.//evil.example',
    '/%2e//evil.example',
    '/%2E//evil.example',
    '/a/..//evil.example',
    '/./\\evil.example',
    '/\t/evil.example',
    '/.\\/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '',
    'privacy',
    42,
    null,
  ])('sends %s home instead', (input) => {
    expect(safeRedirect(input)).toBe('/')
  })
})
