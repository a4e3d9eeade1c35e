import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Visitor } from '../support/check-visitor'
import { type PortalServer, startPortal } from '../support/portal-server'

/**
 * A write that waits for the database's write lock past the busy timeout (5 s;
 * a burst of writers, a long import beside the portal) is refused with a 503
 * that says nothing was saved and to try again, never a 500; and the same
 * request succeeds once the lock is free.
 */

let portal: PortalServer

beforeAll(async () => {
  portal = await startPortal()
})

afterAll(async () => {
  await portal?.stop()
})

describe('a database whose write lock stays taken', () => {
  it('refuses the write with a localised 503 and Retry-After, then takes it once the lock is free', async () => {
    const visitor = new Visitor(portal.url)
    await visitor.get('/check/email')
    const holder = new Database(portal.databasePath)
    holder.pragma('busy_timeout = 5000')
    holder.exec('BEGIN IMMEDIATE')
    let refused: Awaited<ReturnType<Visitor['post']>>
    try {
      refused = await visitor.post('/check/email', { csrf: visitor.csrf ?? '', email: 'busy@example.jp' })
    } finally {
      holder.exec('ROLLBACK')
      holder.close()
    }
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('30')
    expect(refused.body).toContain('現在、内容を保存できません')
    expect(refused.body).not.toContain('SQLITE')
    expect(refused.body).not.toContain('busy@example.jp')
    expect(portal.output()).toContain('[database busy]')
    expect(portal.output()).not.toContain('[server error]')

    await visitor.get('/check/email')
    const accepted = await visitor.post('/check/email', {
      csrf: visitor.csrf ?? '',
      email: 'busy@example.jp',
    })
    expect(accepted.status).toBe(303)
  }, 30_000)
})
