import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { type PortalServer, startPortal } from '../support/portal-server'
import { portOf } from '../support/raw-http'
import { eventually, openSlowClient, postHead, type SlowClient } from '../support/slow-client'

/**
 * A web process with REQUEST_QUEUE_DEPTH requests in progress answers one more
 * at once with 503 and Retry-After, and serves again as soon as one finishes.
 * Requests are held in progress by clients that send half a form and wait.
 */

const DEPTH = 2
let portal: PortalServer
let port: number
const holders: SlowClient[] = []

beforeAll(async () => {
  portal = await startPortal({ env: { REQUEST_QUEUE_DEPTH: String(DEPTH) } })
  port = portOf(portal.url)
})

afterAll(async () => {
  for (const holder of holders) holder.socket.destroy()
  await portal?.stop()
})

/** A form post whose body stops half-way, so its request stays in progress. */
async function holdOneRequest() {
  const holder = await openSlowClient(port, `${postHead({ port, path: '/check/email', length: 200 })}email=`)
  holders.push(holder)
  return holder
}

/**
 * Holds requests until the process is full, which a page request answered 503
 * shows. A holder whose request reached the server after a probe's was itself
 * shed; it is replaced until `DEPTH` of them are in progress.
 */
async function fillToDepth() {
  await eventually(async () => {
    const inProgress = holders.filter((holder) => !holder.socket.destroyed && holder.received() === '')
    for (let i = inProgress.length; i < DEPTH; i++) await holdOneRequest()
    await new Promise((resolve) => setTimeout(resolve, 100))
    return (await statusOf('/')) === 503
  }, 10_000)
  return holders.filter((holder) => !holder.socket.destroyed && holder.received() === '')
}

const statusOf = async (path: string) => {
  const response = await fetch(`${portal.url}${path}`)
  await response.arrayBuffer()
  return response.status
}

describe('load shedding', () => {
  it('answers past the depth with a 503 that says what to do, and recovers when a request ends', async () => {
    expect(await statusOf('/')).toBe(200)
    const [first] = await fillToDepth()

    const shed = await fetch(`${portal.url}/check/email`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: portal.url },
      body: 'email=someone%40example.jp',
    })
    expect(shed.status).toBe(503)
    expect(shed.headers.get('retry-after')).toBe('30')
    expect(shed.headers.get('cache-control')).toBe('no-store')
    expect(shed.headers.get('content-type')).toContain('text/html')
    const page = await shed.text()
    // Both languages say what happened, what to do and whom to write to.
    expect(page).toContain('ただいま混み合っています')
    expect(page).toContain('30秒ほど待ってから')
    expect(page).toContain('Please wait about 30 seconds')
    expect(page).toContain(`mailto:${SUPPORT_EMAIL}`)
    expect(page).not.toContain('someone')

    // A load balancer's health check and the static files are never shed.
    expect(await statusOf('/healthz')).toBe(200)
    expect(await statusOf('/favicon.svg')).toBe(200)
    // The busy page's own stylesheet among them.
    expect(page).toContain('href="/busy.css"')
    expect(await statusOf('/busy.css')).toBe(200)

    // One held request gives up: its place is free again.
    first?.socket.destroy()
    await eventually(async () => (await statusOf('/')) === 200, 5_000)
  })

  it('finishes the requests it had accepted while it was shedding others', async () => {
    const [holder] = await fillToDepth()
    if (!holder) throw new Error('no request was held')
    // The rest of the form arrives: the page answers it in full (the token is missing, so a 4xx).
    holder.send('x'.repeat(200 - 'email='.length))
    const answer = await Promise.race([
      holder.closed,
      eventually(() => /\r\n\r\n/.test(holder.received()), 5_000).then(() => holder.received()),
    ])
    const status = Number(answer.match(/^HTTP\/1\.1 (\d{3})/)?.[1])
    expect(status).toBeGreaterThanOrEqual(400)
    expect(status).toBeLessThan(500)
    expect(portal.output()).not.toContain('[server error]')
  })
})
