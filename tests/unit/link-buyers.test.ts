import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { closeDatabase } from '~db/client'
import { LINK_BUYERS_TO_MEMBERS } from '~db/import/link-buyers'
import { openMigratedDatabase } from '../support/migrated-database'

/**
 * Linking buyers to members must stay one pass at a million members: the
 * plan groups the members once and finds each buyer's group through an
 * index, and nothing runs once per buyer (a correlated subquery there once
 * scanned every member for every buyer).
 */

const directory = mkdtempSync(join(tmpdir(), 'link-buyers-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe('linking buyers to members', () => {
  it('has a plan with no per-buyer subquery', () => {
    const db = openMigratedDatabase(join(directory, 'portal.db'))
    try {
      const plan = (
        db.$client.prepare(`explain query plan ${LINK_BUYERS_TO_MEMBERS}`).all() as { detail: string }[]
      ).map((row) => row.detail)
      expect(plan.join('\n')).not.toMatch(/CORRELATED/)
      expect(plan.filter((detail) => /GROUP BY/.test(detail))).toHaveLength(1)
      expect(plan.some((detail) => /SEARCH linked USING .*INDEX \(phone_index=\?\)/.test(detail))).toBe(true)
    } finally {
      closeDatabase(db)
    }
  })
})
