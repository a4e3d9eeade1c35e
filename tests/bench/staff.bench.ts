import { loadavg } from 'node:os'
import type autocannon from 'autocannon'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { CASE_SEARCH_KINDS, type CaseSearchKind } from '~/staff/case-search-kinds'
import { closeDatabase, openDatabase } from '~db/client'
import { Visitor } from '../support/check-visitor'
import { enrolStaff } from '../support/staff-authenticator'
import { cannon } from './cannon'
import { advanceIncident } from './incident-progress'
import { firstHumans, machineLine, populationCopy, startPopulationPortal } from './population-run'
import { csrfPair, describeResult, rotate, verifiedSessionCookies } from './portal-load'
import { processTreeCpuMs } from './process-cpu'
import { BENCH_SUPERVISOR, createBenchStaff, type SearchValue, searchValues } from './staff-load'

/**
 * npm run bench:staff: the staff console under load, over bench:verify's
 * million generated members (its cached population) moved to the middle of
 * the incident (everyone notified, a third through their steps), with the
 * production build. First GET /exposure with valid customer sessions alone,
 * as bench:verify drives it; then case searches of each kind (values real
 * people of the population hold) and the dashboard, each alone; then
 * /exposure alone, with staff searching and reading the dashboard at a
 * steady rate, and alone again. Bars: search (each kind) and dashboard p99
 * alone under 100 ms; /exposure's p99 with staff traffic at most 20 % above
 * its p99 without (the mean of the runs just before and just after).
 */

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3)
// Staff beside members at a steady rate, as a call centre works: a closed loop would take every
// cycle it could and measure a contest. 20 a second is 600 agents each at the hourly search limit.
const STAFF_RATE = Number(process.env.BENCH_STAFF_RATE ?? 20)
// Searches are limited to 120 an hour per staff member: enough agents that none reaches it (a
// quiet run gave each of 300 agents 119 searches, so 400 leave room for a faster machine).
const AGENTS = Number(process.env.BENCH_AGENTS ?? 400)
const SEARCH_LIMIT_PER_STAFF = 120
const SESSIONS = 2000
const VALUES_PER_KIND = 200
const P99_BAR_MS = 100
const EXPOSURE_WORSE_BAR = 1.2

// Other work on the machine moves every figure here: said beside them.
const loadAtStart = loadavg()[0]?.toFixed(1)
const work = await populationCopy('staff', MEMBERS)
const { population, workDirectory, databasePath } = work

const { secrets } = population
const exposureCookies = await verifiedSessionCookies({
  databasePath,
  sessionSecret: secrets.SESSION_SECRET as string,
  humanIds: firstHumans(databasePath, SESSIONS),
})
const values = await searchValues({
  databasePath,
  secrets,
  perKind: VALUES_PER_KIND,
  noticeDirectory: workDirectory,
})
const kinds = CASE_SEARCH_KINDS.filter((kind) => values[kind])
const staffStarted = performance.now()
const staff = await createBenchStaff({ databasePath, secrets, agents: AGENTS })
stopPasswordWork()
const staffSeconds = (performance.now() - staffStarted) / 1000
// The dashboard's figures as they stand a fortnight into the incident, not on its first morning.
const incident = await advanceIncident(databasePath)

// Set once the server is up: the form token with its cookie, and the supervisor's session.
let csrf = { cookie: '', token: '' }
let supervisorCookie = ''
// The searches spread over the agents, one turn shared by every run, so that each agent's searches
// stay under the hourly limit however the runs add up. The supervisor reads the dashboard.
let nextAgent = 0
const nextAgentCookie = () => staff.agentCookies[nextAgent++ % staff.agentCookies.length] as string
// Every search answered 200, warm-ups and checks included, to hold against the audit log's count.
let searchesAnswered = 0

const portal = await startPopulationPortal(databasePath, secrets)
const { server } = portal
try {
  csrf = await csrfPair(server.url)
  // The supervisor signs in through the real pages: enrolment password, own password, authenticator app.
  const { visitor } = await enrolStaff(new Visitor(server.url), {
    email: BENCH_SUPERVISOR.email,
    enrolmentPassword: staff.supervisorEnrolmentPassword,
    newPassword: BENCH_SUPERVISOR.newPassword,
  })
  supervisorCookie =
    [...visitor.cookies]
      .filter(([name]) => name.endsWith('portal_staff'))
      .map(([name, value]) => `${name}=${value}`)[0] ?? ''
  if (!supervisorCookie) throw new Error('the supervisor has no staff session after signing in')

  await checkEveryKindFinds()

  const baseline = await measured('GET /exposure', exposureLoad(CONNECTIONS), 200, true)
  if (WARMUP_SECONDS > 0) await searchLoad(kinds, { duration: WARMUP_SECONDS, connections: CONNECTIONS })
  const searches = []
  for (const kind of kinds) {
    searches.push(
      await measured(
        `search ${kind}`,
        (duration) => searchLoad([kind], { duration, connections: CONNECTIONS }),
        200,
      ),
    )
  }
  const dashboard = await measured('GET /staff', dashboardLoad({ connections: CONNECTIONS }), 200, true)

  // /exposure without staff just before and just after the run with them, so that the comparison
  // is of neighbours in time: other work on a shared machine moves a p99 more than anything here.
  // Staff at a steady rate, nine searches to one dashboard view.
  const dashboardRate = Math.max(1, Math.round(STAFF_RATE / 10))
  const searchRate = Math.max(1, STAFF_RATE - dashboardRate)
  const exposureBefore = await measured('GET /exposure', exposureLoad(CONNECTIONS), 200)
  const [exposureWith, searchesWith, dashboardWith] = await Promise.all([
    exposureLoad(CONNECTIONS)(SECONDS),
    searchLoad(kinds, { duration: SECONDS, connections: 2, overallRate: searchRate }),
    dashboardLoad({ connections: 1, overallRate: dashboardRate })(SECONDS),
  ])
  const exposureAfter = await measured('GET /exposure', exposureLoad(CONNECTIONS), 200)

  console.log(
    `${machineLine()}; load average ${loadAtStart} at the start, ${loadavg()[0]?.toFixed(1)} at the end`,
  )
  console.log(
    `database: ${MEMBERS.toLocaleString('en')} members and the generator's other cohorts; ` +
      `${CONNECTIONS} connections, ${SECONDS} s a run; ${AGENTS} agents (made in ${staffSeconds.toFixed(0)} s) ` +
      `and a supervisor signed in through the pages: ${AGENTS + 1} staff accounts`,
  )
  console.log(incident)
  const missing = CASE_SEARCH_KINDS.filter((kind) => !values[kind])
  if (missing.length > 0) console.log(`not measured, the population has none: ${missing.join(', ')}`)
  const line = ({ name, result, cpuMs }: { name: string; result: autocannon.Result; cpuMs?: number }) => {
    // Linux only: CPU time of the server's processes a request, which a rate on a busy machine hides.
    const cpu = cpuMs !== undefined && Number.isFinite(cpuMs) ? `, CPU ${cpuMs.toFixed(1)} ms a request` : ''
    console.log(`  ${describeResult(name, result, 200).line}${cpu}`)
  }
  console.log(`each alone, closed loop of ${CONNECTIONS} connections:`)
  for (const run of [baseline, ...searches, dashboard]) line(run)
  console.log(
    `/exposure without staff, with staff at ${searchRate} searches and ${dashboardRate} dashboard views a second, without:`,
  )
  line({ ...exposureBefore, name: 'GET /exposure (before)' })
  line({ name: 'GET /exposure (with staff)', result: exposureWith })
  line({ name: 'search, every kind', result: searchesWith })
  line({ name: 'GET /staff', result: dashboardWith })
  line({ ...exposureAfter, name: 'GET /exposure (after)' })

  const worstSearch = searches.reduce((worst, run) =>
    run.result.latency.p99 > worst.result.latency.p99 ? run : worst,
  )
  const without = (exposureBefore.result.latency.p99 + exposureAfter.result.latency.p99) / 2
  const ratio = exposureWith.latency.p99 / without
  const verdict = (met: boolean) => (met ? 'PASS' : 'FAIL')
  console.log(
    `search p99, worst kind alone: ${worstSearch.result.latency.p99} ms (${worstSearch.name}) ` +
      `(bar < ${P99_BAR_MS} ms): ${verdict(worstSearch.result.latency.p99 < P99_BAR_MS)}`,
  )
  console.log(
    `dashboard p99 alone: ${dashboard.result.latency.p99} ms ` +
      `(bar < ${P99_BAR_MS} ms): ${verdict(dashboard.result.latency.p99 < P99_BAR_MS)}`,
  )
  console.log(
    `/exposure p99 without staff ${without} ms (${exposureBefore.result.latency.p99} before, ` +
      `${exposureAfter.result.latency.p99} after), with staff ${exposureWith.latency.p99} ms: ` +
      `ratio ${ratio.toFixed(2)} (bar <= ${EXPOSURE_WORSE_BAR}): ${verdict(ratio <= EXPOSURE_WORSE_BAR)}`,
  )
  // A search still in flight when a run's time is up is answered and audited, but not counted here.
  console.log(
    `searches answered ${searchesAnswered.toLocaleString('en')}, warm-ups and checks included ` +
      `(about ${Math.ceil(nextAgent / AGENTS)} an agent, limit ${SEARCH_LIMIT_PER_STAFF} an hour); ` +
      `case searches in the audit log ${auditedSearches().toLocaleString('en')}`,
  )
} finally {
  await portal.stop()
  work.remove()
}

type Load = (duration: number) => Promise<autocannon.Result>

/** A run after a warm-up (when asked), with the CPU time every server process spent a request. */
async function measured(name: string, load: Load, expect: number, warm = false) {
  if (warm && WARMUP_SECONDS > 0) await load(WARMUP_SECONDS)
  const pid = server.child.pid as number
  const cpuFrom = processTreeCpuMs(pid)
  const result = await load(SECONDS)
  const cpuMs = ((processTreeCpuMs(pid) ?? Number.NaN) - (cpuFrom ?? Number.NaN)) / result.requests.total
  return { name, result, cpuMs, expect }
}

function exposureLoad(connections: number): Load {
  return (duration) =>
    cannon({
      url: `${server.url}/exposure`,
      connections,
      duration,
      requests: [{ setupRequest: rotate('cookie', exposureCookies) }],
    })
}

function dashboardLoad(options: { connections: number; overallRate?: number }): Load {
  return (duration) =>
    cannon({
      url: `${server.url}/staff`,
      duration,
      ...options,
      headers: { cookie: supervisorCookie },
    })
}

/** POSTs of /staff/cases, the kinds taking turns, each kind's values round and round. */
function searchLoad(
  searchKinds: readonly CaseSearchKind[],
  options: { duration: number; connections: number; overallRate?: number },
) {
  const bodies = searchKinds.map((kind) =>
    (values[kind] ?? []).map((value) => searchBody(csrf.token, kind, value)),
  )
  let next = 0
  const run = cannon({
    url: `${server.url}/staff/cases`,
    method: 'POST',
    ...options,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const n = next++
          const ofKind = bodies[n % bodies.length] as string[]
          return {
            ...request,
            headers: { ...request.headers, cookie: `${csrf.cookie}; ${nextAgentCookie()}` },
            body: ofKind[Math.floor(n / bodies.length) % ofKind.length] as string,
          }
        },
      },
    ],
  })
  return run.then((result) => {
    searchesAnswered += Number(result.statusCodeStats?.['200']?.count ?? 0)
    return result
  })
}

function searchBody(token: string, kind: CaseSearchKind, { value, birthDate }: SearchValue) {
  return new URLSearchParams({ csrf: token, kind, value, birthDate }).toString()
}

/** Before any load: each kind's first values find their person, and the dashboard answers. */
async function checkEveryKindFinds() {
  for (const kind of kinds) {
    for (const value of (values[kind] ?? []).slice(0, 3)) {
      const response = await fetch(`${server.url}/staff/cases`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: server.url,
          cookie: `${csrf.cookie}; ${nextAgentCookie()}`,
        },
        body: searchBody(csrf.token, kind, value),
      })
      const html = await response.text()
      const found =
        response.status === 200 &&
        html.includes('class="case-card"') &&
        (value.humanId === null || html.includes(`/staff/cases/${value.humanId}"`))
      if (!found) throw new Error(`a ${kind} search of a real person found nobody (${response.status})`)
      searchesAnswered++
    }
  }
  const home = await fetch(`${server.url}/staff`, { headers: { cookie: supervisorCookie } })
  if (home.status !== 200) throw new Error(`the dashboard answered ${home.status}`)
}

function auditedSearches() {
  const db = openDatabase(databasePath)
  const count = db.$client
    .prepare("select count(*) from audit_log where action = 'case.searched'")
    .pluck()
    .get() as number
  closeDatabase(db)
  return count
}
