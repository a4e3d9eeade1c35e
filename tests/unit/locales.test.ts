import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { supportedLanguages } from '~/i18n/config'
import { resources } from '~/i18n/resources.server'

const localesDirectory = fileURLToPath(new URL('../../locales/', import.meta.url))

function leafKeys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix]
  return Object.entries(value).flatMap(([key, child]) => leafKeys(child, prefix ? `${prefix}.${key}` : key))
}

function leafValues(value: unknown): unknown[] {
  if (value === null || typeof value !== 'object') return [value]
  return Object.values(value).flatMap(leafValues)
}

const namespaceFiles = (language: string) => readdirSync(`${localesDirectory}${language}`).sort()

describe('locales', () => {
  it('every language has the same namespace files', () => {
    expect(namespaceFiles('en')).toEqual(namespaceFiles('ja'))
  })

  it('every namespace file is bundled for the server and the browser', () => {
    for (const language of supportedLanguages) {
      const bundled = Object.keys(resources[language]).map((namespace) => `${namespace}.json`)
      expect(bundled.sort()).toEqual(namespaceFiles(language))
    }
  })

  for (const file of namespaceFiles('ja')) {
    it(`${file}: the same keys in Japanese and English`, () => {
      const read = (language: string) =>
        JSON.parse(readFileSync(`${localesDirectory}${language}/${file}`, 'utf8'))
      const ja = leafKeys(read('ja')).sort()
      const en = leafKeys(read('en')).sort()
      expect(
        en.filter((key) => !ja.includes(key)),
        'keys only in English',
      ).toEqual([])
      expect(
        ja.filter((key) => !en.includes(key)),
        'keys only in Japanese',
      ).toEqual([])
    })

    it(`${file}: no empty strings`, () => {
      for (const language of supportedLanguages) {
        const values = leafValues(JSON.parse(readFileSync(`${localesDirectory}${language}/${file}`, 'utf8')))
        expect(values.filter((value) => typeof value !== 'string' || value.trim() === '')).toEqual([])
      }
    })
  }
})
