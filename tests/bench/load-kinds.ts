import type autocannon from 'autocannon'
import { cannon } from './cannon'

/**
 * How bench:load counts what one kind of request got in one step: answers by
 * status, deliberate shedding (503 with Retry-After) apart from failures (any
 * other 5xx), and latencies, for autocannon runs and for the hand-driven
 * sessions alike.
 */

export type KindTally = {
  name: string
  /** Statuses the kind should get when the server keeps up. */
  expect: readonly number[]
  statuses: Map<number, number>
  shed: number
  /** 5xx other than a 503 with Retry-After. */
  failures: number
  /** What the failures said, by `<title>` (or the body's start), for the report to name them. */
  failureKinds: Map<string, number>
  /** Connection errors and timeouts. */
  errors: number
  latencies: number[]
  p50?: number
  p99?: number
  requests: number
  /** Requests sent: those beyond `requests` were still unanswered when the step ended. */
  sent: number
}

export function newTally(name: string, expect: readonly number[]): KindTally {
  return {
    name,
    expect,
    statuses: new Map(),
    shed: 0,
    failures: 0,
    failureKinds: new Map(),
    errors: 0,
    latencies: [],
    requests: 0,
    sent: 0,
  }
}

/** One answer, as the load saw it. */
export function countAnswer(
  tally: KindTally,
  status: number,
  headers: Record<string, unknown>,
  body?: string,
) {
  tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1)
  const retryAfter = Object.keys(headers).some((name) => name.toLowerCase() === 'retry-after')
  if (status === 503 && retryAfter) tally.shed++
  else if (status >= 500) {
    tally.failures++
    const said = `${status} ${failureSummary(body)}`
    tally.failureKinds.set(said, (tally.failureKinds.get(said) ?? 0) + 1)
  }
}

/** A failed answer's page title, or the start of its body: synthetic bench data, never a person's. */
function failureSummary(body: string | undefined) {
  if (body === undefined) return '(body not read)'
  const title = body.match(/<title>([^<]{0,120})/)?.[1]
  return JSON.stringify(title ?? body.slice(0, 120))
}

export function unexpected(tally: KindTally) {
  let other = 0
  for (const [status, count] of tally.statuses) {
    if (!tally.expect.includes(status) && status !== 503) other += count
  }
  return other
}

/** p50 and p99 of the hand-driven sessions' latencies (autocannon's come with its result). */
export function settleLatencies(tally: KindTally) {
  if (tally.p50 !== undefined || tally.latencies.length === 0) return
  const sorted = tally.latencies.sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
  tally.p50 = Math.round(at(0.5))
  tally.p99 = Math.round(at(0.99))
  tally.requests = sorted.length
}

export type CannonKind = {
  name: string
  expect: readonly number[]
  /** autocannon options but connections and duration. */
  options: (tally: KindTally) => autocannon.Options
}

/** One autocannon run of a kind; every answer goes through `countAnswer`. */
export async function runCannon(kind: CannonKind, connections: number, seconds: number) {
  const tally = newTally(kind.name, kind.expect)
  const result = await cannon({ ...kind.options(tally), connections, duration: seconds, timeout: 30 })
  tally.requests = result.requests.total
  // Not in autocannon's types, but in its result: a request still out at the end is no error to it.
  tally.sent = (result.requests as { sent?: number }).sent ?? result.requests.total
  // No answer in the step: no latency to speak of (autocannon would say 0 ms).
  if (tally.requests > 0) {
    tally.p50 = result.latency.p50
    tally.p99 = result.latency.p99
  }
  tally.errors = result.errors + result.timeouts
  return tally
}

/** A request hook that hands every answer to the tally, and, when given, to `seen` too. */
export function counted(tally: KindTally, seen?: (status: number, context: Record<string, unknown>) => void) {
  return (status: number, body: string, context: object, headers: Record<string, unknown> = {}) => {
    countAnswer(tally, status, headers, body)
    seen?.(status, context as Record<string, unknown>)
  }
}
