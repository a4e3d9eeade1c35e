import { type KindTally, settleLatencies, unexpected } from './load-kinds'

/** bench:load's table: one block a step, one line a kind. */

export type StepResult = {
  connections: number
  /** Connections actually open: each kind has one at least. */
  open: number
  seconds: number
  tallies: KindTally[]
  rssEndMb: number
  /** RSS of each of the server's processes at the step's end (the primary first), summed in `rssEndMb`. */
  processes: number[]
  /** Cores busy on average: the server's processes, and this one (the load). */
  cpu: { server: number; load: number }
  /** How long the server took to go idle after the step. */
  drainSeconds: number
  rssPeakMb: number
}

export function stepTotals(step: StepResult) {
  const sum = (of: (t: KindTally) => number) => step.tallies.reduce((total, t) => total + of(t), 0)
  return {
    requests: sum((t) => t.requests),
    errors: sum((t) => t.errors),
    failures: sum((t) => t.failures),
    shed: sum((t) => t.shed),
    unexpected: sum(unexpected),
    unanswered: sum((t) => Math.max(0, t.sent - t.requests - t.errors)),
  }
}

export function printStep(step: StepResult) {
  for (const tally of step.tallies) settleLatencies(tally)
  const totals = stepTotals(step)
  console.log(
    `\n${step.connections} connections (${step.open} open), ${step.seconds} s: ${Math.round(totals.requests / step.seconds).toLocaleString('en')} req/s, ` +
      `errors ${totals.errors}, 5xx (not shed) ${totals.failures}, shed (503 + Retry-After) ${totals.shed}, ` +
      `other unexpected ${totals.unexpected}, unanswered at the step's end ${totals.unanswered}; server RSS ${step.rssEndMb.toFixed(0)} MB at the end (${step.processes.map((mb) => mb.toFixed(0)).join(' + ')}), ` +
      `peak ${step.rssPeakMb.toFixed(0)} MB; cores busy: server ${step.cpu.server.toFixed(2)}, load generator ${step.cpu.load.toFixed(2)}; ` +
      `idle again ${step.drainSeconds.toFixed(0)} s after the step`,
  )
  for (const t of step.tallies) {
    const statuses = [...t.statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ')
    console.log(
      `  ${t.name.padEnd(28)} ${String(Math.round(t.requests / step.seconds)).padStart(6)} req/s  ` +
        `p50 ${String(t.p50 ?? '-').padStart(5)} ms  p99 ${String(t.p99 ?? '-').padStart(5)} ms  ` +
        `errors ${t.errors}  5xx ${t.failures}  shed ${t.shed}  unanswered ${Math.max(0, t.sent - t.requests - t.errors)}  [${statuses}]`,
    )
    for (const [said, count] of t.failureKinds) console.log(`    5xx ×${count}: ${said}`)
  }
}

export const verdict = (met: boolean) => (met ? 'PASS' : 'FAIL')
