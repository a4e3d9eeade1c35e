import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { CASE_SEARCH_KINDS } from '~/staff/case-search-kinds'
import { startCodeSink } from './code-sink'
import { codeSessions } from './load-code-sessions'
import { runCannon } from './load-kinds'
import { cannonKinds, writeOutcomes } from './load-mix'
import { printStep, type StepResult, stepTotals, verdict } from './load-report'
import { chooseWriters, writesFound } from './load-writers'
import { firstHumans, machineLine, populationCopy } from './population-run'
import { csrfPair, startProductionPortal, stopPortal, verifiedSessionCookies } from './portal-load'
import { processTreeCpuMs } from './process-cpu'
import { processTreeRss, processTreeRssMb } from './process-rss'
import { createBenchStaff, searchValues } from './staff-load'
import { withinStepDeadline } from './step-deadline'

/**
 * npm run bench:load: a mix of sessions against the production start over a
 * generated population (bench:verify's, cached), in rising steps of open
 * connections: incident page and static assets, e-mail checks (started, and
 * completed with the code read from the SMTP sink, then the exposure view),
 * letter checks, exposure views, password resets, detail confirmations and
 * staff searches, each kind with its share of the connections. Per step:
 * requests a second, p50/p99 a kind, errors, 5xx, deliberate shedding (503
 * with Retry-After) and the server's resident memory (all its processes).
 * Bars: no 5xx but shedding; every reset and confirmation answered 303 in
 * the database exactly once, none refused or shed written; RSS peak at the
 * last step at most 1.15 × the one before it.
 */

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '30' },
    steps: { type: 'string', default: process.env.BENCH_STEPS ?? '10,100,500,1000' },
    members: { type: 'string', default: process.env.BENCH_MEMBERS ?? '50000' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP_SECONDS ?? '10' },
  },
})
const SECONDS = Number(flags.seconds)
const STEPS = (flags.steps as string).split(',').map(Number)
const MEMBERS = Number(flags.members)
// Unmeasured first, every kind at once: each web worker starts its password helper (about 190 MB
// each) at its first reset, which would otherwise land in whichever step first gets a reset answered
// and make its RSS look like growth. 40 connections give the resets two, one for each worker likely.
const WARMUP_SECONDS = Number(flags.warmup)
// autocannon and the hand-driven sessions end on time; past this after a step, something is stuck.
const STEP_GRACE_MS = 60_000
const WARMUP_CONNECTIONS = 40
const RSS_FLAT_BAR = 1.15
// Writers for the longest run at the default steps, with room: a reset costs ~100 ms of CPU, a
// confirmation a few; each member writes once, so that the database can say what happened to each.
const RESETTERS = Number(process.env.BENCH_RESETTERS ?? 3000)
const CONFIRMERS = Number(process.env.BENCH_CONFIRMERS ?? 6000)
const AGENTS = Number(process.env.BENCH_AGENTS ?? 200)
const CODE_SESSION_SHARE = 0.05

// Every open connection is a descriptor here and one in the server: say so before the step fails.
const openFiles = Number(
  readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+)/m)?.[1] ?? Number.NaN,
)
const needed = Math.max(...STEPS) + 200
if (openFiles < needed) {
  console.error(`open-file limit ${openFiles} < ${needed}: raise it first (ulimit -n ${needed * 2})`)
  process.exit(2)
}

const loadAtStart = loadavg()[0]?.toFixed(1)
const work = await populationCopy('load', MEMBERS)
const { population, databasePath, workDirectory } = work
// The run's copy goes however the run ends (a failed step throws past the database check).
process.on('exit', () => work.remove())
const { secrets } = population
const sessionSecret = secrets.SESSION_SECRET as string
console.log('preparing sessions, writers and staff…')
const exposureCookies = await verifiedSessionCookies({
  databasePath,
  sessionSecret,
  humanIds: firstHumans(databasePath, 2000),
})
const writers = await chooseWriters({ databasePath, secrets, resetters: RESETTERS, confirmers: CONFIRMERS })
if (writers.passedOver.size > 0) {
  const fields = [...writers.passedOver].map(([field, count]) => `${field} ${count}`).join(', ')
  console.log(`confirmers passed over, their records needing a correction first (by field): ${fields}`)
}
const resetCookies = await verifiedSessionCookies({
  databasePath,
  sessionSecret,
  humanIds: writers.resetting.map((w) => w.humanId),
})
const confirmCookies = await verifiedSessionCookies({
  databasePath,
  sessionSecret,
  humanIds: writers.confirming.map((w) => w.humanId),
})
const values = await searchValues({ databasePath, secrets, perKind: 50, noticeDirectory: workDirectory })
const searches = CASE_SEARCH_KINDS.flatMap((kind) => (values[kind] ?? []).map((value) => ({ kind, value })))
const staff = await createBenchStaff({ databasePath, secrets, agents: AGENTS })

const sink = await startCodeSink()
const server = await startProductionPortal({ databaseUrl: databasePath, secrets, smtpUrl: sink.url })
const pid = server.child.pid as number
const steps: StepResult[] = []
let warmFailures = 0
let failed = false
try {
  const csrf = await csrfPair(server.url)
  const home = await (await fetch(`${server.url}/`)).text()
  const assets = [
    ...new Set(
      [...home.matchAll(/(?:href|src)="(\/(?:build|assets)\/[^"]+\.(?:css|js)|\/favicon\.svg)"/g)].map(
        (m) => m[1] as string,
      ),
    ),
  ]
  if (assets.length === 0) throw new Error('the incident page links no static assets')
  // Half the known addresses for whole sessions (each used once: 5 codes an address an hour), half for starts.
  const sessionEmails = population.emails.slice(0, Math.floor(population.emails.length / 2))
  let nextSessionEmail = 0
  const kinds = cannonKinds({
    url: server.url,
    csrf,
    assets,
    exposureCookies,
    emails: population.emails.slice(sessionEmails.length),
    letterCodes: population.letterCodes,
    agentCookies: staff.agentCookies,
    searches,
    resetters: writers.resetting,
    confirmers: writers.confirming,
    resetCookies,
    confirmCookies,
  })
  const runs = [
    ...(WARMUP_SECONDS > 0 ? [{ connections: WARMUP_CONNECTIONS, seconds: WARMUP_SECONDS, warm: true }] : []),
    ...STEPS.map((connections) => ({ connections, seconds: SECONDS, warm: false })),
  ]
  for (const { connections, seconds, warm } of runs) {
    const cpuFrom = processTreeCpuMs(pid) ?? Number.NaN
    const ownCpuFrom = process.cpuUsage()
    const startedAt = performance.now()
    let rssPeakMb = 0
    const sampler = setInterval(() => {
      rssPeakMb = Math.max(rssPeakMb, processTreeRssMb(pid) ?? 0)
    }, 250)
    // Every kind at least one connection: the small step opens a few more than it says.
    const share = (of: number) => Math.max(1, Math.round(connections * of))
    const open = kinds.reduce((sum, kind) => sum + share(kind.share), share(CODE_SESSION_SHARE))
    const tallies = await withinStepDeadline(
      [
        ...kinds.map((kind) => ({
          name: kind.kind.name,
          run: runCannon(kind.kind, share(kind.share), seconds).then((tally) => [tally]),
        })),
        {
          name: 'e-mail checks to the end',
          run: codeSessions({
            url: server.url,
            csrf,
            emails: sessionEmails,
            nextEmail: () => nextSessionEmail++,
            codeFor: sink.code,
            connections: share(CODE_SESSION_SHARE),
            seconds: seconds,
          }),
        },
      ],
      { stepMs: seconds * 1000, graceMs: STEP_GRACE_MS },
    )
    clearInterval(sampler)
    const elapsedMs = performance.now() - startedAt
    const own = process.cpuUsage(ownCpuFrom)
    const cpu = {
      server: ((processTreeCpuMs(pid) ?? Number.NaN) - cpuFrom) / elapsedMs,
      load: (own.user + own.system) / 1000 / elapsedMs,
    }
    const rssEnd = processTreeRss(pid)
    const rssEndMb = rssEnd?.mb ?? 0
    const step = {
      connections,
      open,
      seconds: seconds,
      tallies: tallies.flat(),
      rssEndMb,
      processes: rssEnd?.each ?? [],
      rssPeakMb: Math.max(rssPeakMb, rssEndMb),
      cpu,
      drainSeconds: await drained(pid),
    }
    if (warm) {
      warmFailures = stepTotals(step).failures
      console.log(
        `warm-up: ${connections} connections for ${seconds} s, not measured but its ${warmFailures} 5xx (not shed), counted below`,
      )
    } else {
      steps.push(step)
      printStep(step)
    }
    if (server.child.exitCode !== null) throw new Error(`the server exited with ${server.child.exitCode}`)
  }
} finally {
  await stopPortal(server)
  await sink.close()
}

console.log(
  `\n${machineLine()}; load average ${loadAtStart} at the start, ${loadavg()[0]?.toFixed(1)} at the end; ` +
    `${MEMBERS.toLocaleString('en')} members; ${AGENTS} staff agents; REQUEST_QUEUE_DEPTH ${process.env.REQUEST_QUEUE_DEPTH ?? '(server default)'}, ` +
    `MAX_CONNECTIONS ${process.env.MAX_CONNECTIONS ?? '(server default)'}`,
)
const failures = steps.reduce((sum, step) => sum + stepTotals(step).failures, warmFailures)
console.log(`no 5xx but shedding: ${failures} (bar 0): ${verdict(failures === 0)}`)
failed ||= failures > 0

// Each write: answered 303, in the database exactly once; answered otherwise, not there (a shed or
// refused write must not land); never answered (in flight at a step's end), once at most.
const found = writesFound(databasePath, [...writeOutcomes.keys()])
const resetting = new Set(writers.resetting.map((w) => w.subjectId))
const tally = { answered: 0, lost: 0, doubled: 0, unwanted: 0, unanswered: 0 }
for (const [subjectId, status] of writeOutcomes) {
  const row = found.get(subjectId)
  const count = resetting.has(subjectId) ? Number(row?.passwordSet) : (row?.confirmations ?? 0)
  if (count > 1) tally.doubled++
  if (status === 0) tally.unanswered++
  else if (status === 303) {
    tally.answered++
    if (count === 0) tally.lost++
  } else if (count > 0) tally.unwanted++
}
const sent = (list: { subjectId: number }[]) => list.filter((w) => writeOutcomes.has(w.subjectId)).length
console.log(
  `resets sent ${sent(writers.resetting)} of ${RESETTERS} members ready, confirmations ${sent(writers.confirming)} of ${CONFIRMERS}` +
    ' (all sent: the rest of the kind went to its page, answered other than 303)',
)
const writesOk = tally.lost === 0 && tally.doubled === 0 && tally.unwanted === 0
console.log(
  `writes: ${tally.answered} resets and confirmations answered 303, ${tally.unanswered} in flight at a step's end; ` +
    `lost ${tally.lost}, doubled ${tally.doubled}, written though refused ${tally.unwanted} (bar 0 each): ${verdict(writesOk)}`,
)
failed ||= !writesOk
const last = steps.at(-1)
const before = steps.at(-2)
if (last && before) {
  const ratio = last.rssPeakMb / before.rssPeakMb
  console.log(
    `RSS peak ${before.rssPeakMb.toFixed(0)} MB at ${before.connections}, ${last.rssPeakMb.toFixed(0)} MB at ${last.connections} ` +
      `connections: ratio ${ratio.toFixed(3)} (bar <= ${RSS_FLAT_BAR}): ${verdict(ratio <= RSS_FLAT_BAR)}`,
  )
  failed ||= ratio > RSS_FLAT_BAR
}
process.exit(failed ? 1 : 0)

/**
 * Requests a step left unanswered may still be worked on (a handler runs to its end though its
 * client has gone): the next step, and the database check, wait until the server is idle again
 * (under a tenth of a core for a second), at most a minute. Answers how long that took.
 */
async function drained(serverPid: number) {
  const started = performance.now()
  for (let i = 0; i < 60; i++) {
    const from = processTreeCpuMs(serverPid) ?? Number.NaN
    await new Promise((resolve) => setTimeout(resolve, 1000))
    if ((processTreeCpuMs(serverPid) ?? Number.NaN) - from < 100) break
  }
  return (performance.now() - started) / 1000
}
