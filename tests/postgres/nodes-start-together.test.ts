import { afterAll, describe, expect, it } from 'vitest'
import { DEMO_STAFF } from '~/staff/demo-staff.server'
import { portalValue } from '../support/portal-rows'
import { type PortalServer, startPortal } from '../support/portal-server'
import { type ScratchPostgresDatabase, scratchPostgresDatabase } from '../support/postgres-database'
import { testSecrets } from '../support/secrets'
import { settleAll } from '../support/settle-all'

/**
 * A deployment's nodes start together on a database that holds nothing yet:
 * each migrates it and, outside production, would load the demo into it. Both
 * must come up, on one schema and one copy of the demo and its staff.
 */

let database: ScratchPostgresDatabase | undefined
const nodes: PortalServer[] = []

afterAll(async () => {
  await settleAll(...nodes.map((node) => node.stop()))
  await database?.drop()
})

describe('two nodes started at once on an empty PostgreSQL database', () => {
  it('both serve, on one copy of the demo', async () => {
    database = await scratchPostgresDatabase('nodes_together')
    const env = { ...testSecrets(), DATABASE_URL: database.url, PORTAL_DEMO_DATA: 'on' }
    const started = await Promise.allSettled([startPortal({ env }), startPortal({ env })])
    for (const result of started) if (result.status === 'fulfilled') nodes.push(result.value)
    expect(started.map((result) => (result.status === 'rejected' ? String(result.reason) : 'up'))).toEqual([
      'up',
      'up',
    ])
    for (const node of nodes) expect((await fetch(`${node.url}/check`)).status).toBe(200)
    const members = await portalValue<number>(
      database.url,
      "select count(*) from subjects where cohort = 'member'",
    )
    // One node loaded the demo; the other waited for its copy and found the people there.
    const loaded = nodes.filter((node) => node.output().includes('Loaded demo data'))
    expect(loaded).toHaveLength(1)
    for (const node of nodes) expect(node.output()).not.toContain('No demo data was loaded')
    expect(members).toBeGreaterThan(0)
    // And the demo staff once each, though both nodes saw to them.
    const staff = await portalValue<number>(database.url, 'select count(*) from staff_members')
    expect(staff).toBe(DEMO_STAFF.length)
  })
})
