import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { CASE_SEARCH_QUERIES, type CaseKey, caseSearchParameters } from '~db/case-search'
import { closeDatabase } from '~db/client'
import { openMigratedDatabase } from '../support/migrated-database'

/**
 * Every case search is an index lookup: no query plan of the search reads a
 * whole table, whatever the kind, so a search costs the same at a million
 * people as at ten.
 */

const directory = mkdtempSync(join(tmpdir(), 'case-search-'))
const db = openMigratedDatabase(join(directory, 'portal.db'))

afterAll(() => {
  closeDatabase(db)
  rmSync(directory, { recursive: true, force: true })
})

describe('case search queries', () => {
  for (const [kind, sql] of Object.entries(CASE_SEARCH_QUERIES)) {
    it(`${kind}: searches an index and scans no table`, () => {
      const key = { kind, digests: [Buffer.alloc(16), Buffer.alloc(16, 1)], cohort: 'member' } as CaseKey
      const plan = db.$client.prepare(`explain query plan ${sql}`).all(...caseSearchParameters(key)) as {
        detail: string
      }[]
      const steps = plan.map((step) => step.detail)
      expect(
        steps.some((step) => /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/.test(step)),
        steps.join('\n'),
      ).toBe(true)
      expect(
        steps.filter((step) => /^SCAN (?!.*USING)/.test(step) && !/SUBQUERY|UNION|TEMP/.test(step)),
        steps.join('\n'),
      ).toEqual([])
    })
  }
})
