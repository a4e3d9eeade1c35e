import { describe, expect, inject, it } from 'vitest'
import { portalValue } from '../support/portal-rows'
import { startPortal } from '../support/portal-server'
import { queryPostgres } from '../support/postgres-copy'

/**
 * The switch the HTTP journeys of the http:postgres project stand on: there,
 * `startPortal` serves from a scratch PostgreSQL copy of the SQLite file it
 * would have served, and drops it when stopped. Were the switch to fall
 * through, those journeys would silently test SQLite again.
 */

describe('a portal started in the http:postgres project', () => {
  it('serves from a PostgreSQL database of its own, gone once it stops', async () => {
    const portal = await startPortal()
    const name = new URL(portal.databaseUrl).pathname.slice(1)
    try {
      expect(portal.databaseUrl).toMatch(/^postgres:\/\//)
      expect((await fetch(`${portal.url}/`)).status).toBe(200)
      // The start command recorded which index key the digests are under: in PostgreSQL, not the file.
      const recorded = await portalValue<number>(
        portal.databaseUrl,
        "select count(*) from portal_meta where key = 'index_key_id'",
      )
      expect(recorded).toBe(1)
    } finally {
      await portal.stop()
    }
    const left = await queryPostgres(inject('postgresUrl'), 'select 1 from pg_database where datname = $1', [
      name,
    ])
    expect(left).toEqual([])
  })
})
