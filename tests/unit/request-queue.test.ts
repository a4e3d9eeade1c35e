import type { NextFunction, Request, Response } from 'express'
import { describe, expect, it } from 'vitest'
import { queueRequests } from '~/server/load-shedding'

/** The queue in front of every page: order, depth, and the wait after which a request is shed. */

type Outcome = 'started' | 503 | undefined

function fakeRequest(path = '/') {
  const outcome: { value: Outcome } = { value: undefined }
  const closers: (() => void)[] = []
  const req = { path, socket: { destroyed: false } } as unknown as Request
  const res = {
    status(code: number) {
      outcome.value = code as 503
      return res
    },
    set: () => res,
    send: () => res,
    once: (_event: string, listener: () => void) => closers.push(listener),
  } as unknown as Response
  const next: NextFunction = () => {
    outcome.value = 'started'
  }
  const finish = () => {
    for (const close of closers) close()
  }
  return { req, res, next, outcome, finish }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('the request queue', () => {
  it('starts queued requests one per turn of the event loop, oldest first', async () => {
    const queue = queueRequests({ depth: 10, maxWaitMs: 60_000 })
    const requests = [fakeRequest(), fakeRequest(), fakeRequest()]
    for (const r of requests) queue(r.req, r.res, r.next)
    expect(requests.map((r) => r.outcome.value)).toEqual([undefined, undefined, undefined])
    await turn()
    expect(requests.map((r) => r.outcome.value)).toEqual(['started', undefined, undefined])
    await turn()
    await turn()
    expect(requests.map((r) => r.outcome.value)).toEqual(['started', 'started', 'started'])
  })

  it('sheds a request past the depth at once, and takes one again when a response ends', async () => {
    const queue = queueRequests({ depth: 2, maxWaitMs: 60_000 })
    const a = fakeRequest()
    const b = fakeRequest()
    const c = fakeRequest()
    const d = fakeRequest()
    for (const r of [a, b, c]) queue(r.req, r.res, r.next)
    expect(c.outcome.value).toBe(503)
    await turn()
    await turn()
    expect([a.outcome.value, b.outcome.value]).toEqual(['started', 'started'])
    a.finish()
    queue(d.req, d.res, d.next)
    await turn()
    expect(d.outcome.value).toBe('started')
  })

  it('sheds a request whose turn comes after longer than the wait, and never sheds the health check', async () => {
    const queue = queueRequests({ depth: 100, maxWaitMs: 100 })
    const stale = fakeRequest()
    queue(stale.req, stale.res, stale.next)
    // The process is busy for longer than the wait before the request's turn comes.
    const busyUntil = performance.now() + 150
    while (performance.now() < busyUntil) {}
    const health = fakeRequest('/healthz')
    queue(health.req, health.res, health.next)
    expect(health.outcome.value).toBe('started')
    await turn()
    expect(stale.outcome.value).toBe(503)
  })
})
