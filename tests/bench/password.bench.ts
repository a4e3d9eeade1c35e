import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import argon2 from 'argon2'
import type autocannon from 'autocannon'
import { ARGON2_PARAMETERS } from '~/accounts/password-hash.server'
import { personalWordsOf } from '~/accounts/password-policy.server'
import { passwordWork, stopPasswordWork } from '~/accounts/password-work.server'
import { openDatabase } from '~db/client'
import { findMemberAccount } from '~db/member-accounts'
import { createPortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { backendSessionCookies, ratioLines, servingCpuClock } from './backend-measures'
import { benchDatabaseArguments, failInOneLine } from './bench-database'
import { cannon } from './cannon'
import {
  type BenchBackend,
  benchBackends,
  machineLine,
  populationCopy,
  startPopulationPortal,
} from './population-run'
import { csrfPair, describeResult, rotate } from './portal-load'
import { processTreeCpuMs } from './process-cpu'

/**
 * npm run bench:password: password-reset POSTs a second at saturation, beside
 * the same cryptographic work done raw in this process (one legacy bcrypt
 * compare and one argon2id hash, on the libuv threadpool as the server does),
 * with the p99 of GET /exposure measured while the resets run. Bars: the
 * endpoint at least 0.8 of the raw rate; /exposure p99 under 100 ms meanwhile.
 *
 * `--database postgres://…` measures the same population on PostgreSQL too
 * (copied into a database the run makes on that server and drops), SQLite
 * first, and gives PostgreSQL's rates as a share of SQLite's.
 */

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15)
const WARMUP_SECONDS = 3
// Shared by the warm-up and the measured run: a session whose member has reset cannot reset again.
let nextSession = 0
const RESET_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8)
const EXPOSURE_CONNECTIONS = 2
// Page views at a steady rate, as members reading their results while others reset: a
// closed loop would take every cycle it could and measure a contest, not a page's latency.
const EXPOSURE_RATE = Number(process.env.BENCH_EXPOSURE_RATE ?? 20)
const RESETS = 4000
const READERS = 500

const USAGE = 'usage: npm run bench:password [-- --database postgres://USER@HOST:PORT/DATABASE]'

const { postgresUrl } = benchDatabaseArguments(USAGE)
const work = await populationCopy('password', MEMBERS)
const { population, databasePath } = work

const sessionSecret = population.secrets.SESSION_SECRET as string
const measured: { backend: BenchBackend; results: Awaited<ReturnType<typeof measure>> }[] = []
let raw: Awaited<ReturnType<typeof rawRate>>
let scoreCpu: number
try {
  const chosen = await chooseHumans(databasePath)
  raw = await rawRate(chosen.legacyHash)
  scoreCpu = await strengthScoreCpuMs(chosen.personalWords)
  const { backends, release } = await benchBackends(work, 'password', postgresUrl).catch((error) => {
    work.remove()
    return failInOneLine('PostgreSQL', error)
  })
  try {
    for (const backend of backends) measured.push({ backend, results: await measure(backend, chosen) })
  } finally {
    await release()
  }
} finally {
  work.remove()
}

console.log(machineLine())
console.log(
  `database: ${MEMBERS.toLocaleString('en')} generated members; ${RESET_CONNECTIONS} connections posting resets ` +
    `and /exposure read ${EXPOSURE_RATE} times a second meanwhile, for ${SECONDS} s`,
)
console.log(
  `raw bcrypt compare + argon2id hash: ${raw.rate.toFixed(1)} a second (threadpool, this process), ` +
    `${raw.cpuMs.toFixed(1)} ms of CPU each`,
)
for (const { backend, results } of measured) {
  const { resets, exposureAlone, exposure, resetCpu } = results
  console.log(`${backend.name} (CPU: ${results.cpuCovers}):`)
  console.log(`  ${describeResult('POST /account/password', resets, 303).line}`)
  console.log(`  ${describeResult('GET /exposure (alone)', exposureAlone, 200).line}`)
  console.log(`  ${describeResult('GET /exposure (meanwhile)', exposure, 200).line}`)
  console.log(
    `  ratio endpoint to raw: ${(resets.requests.average / raw.rate).toFixed(2)} (bar >= 0.8); ` +
      `/exposure p99 meanwhile ${exposure.latency.p99} ms (bar < 100 ms)`,
  )
  // Linux only: CPU time of the serving processes (web, helpers, mail, a local database), not of this one.
  if (Number.isFinite(resetCpu)) {
    console.log(
      `  CPU a reset, every serving process: ${resetCpu.toFixed(1)} ms, so a ratio of ` +
        `${(raw.cpuMs / resetCpu).toFixed(2)} at most were the cores given to nothing else`,
    )
  }
}
if (Number.isFinite(scoreCpu)) {
  console.log(
    `the policy's strength score (zxcvbn, in a password helper): ${scoreCpu.toFixed(1)} ms of CPU each; ` +
      `with it the raw work allows a ratio of ${(raw.cpuMs / (raw.cpuMs + scoreCpu)).toFixed(2)} at most`,
  )
}
const [sqlite, postgres] = measured
if (sqlite && postgres) {
  const lines = ratioLines([
    {
      name: 'POST /account/password',
      sqlite: { rate: sqlite.results.resets.requests.average, cpuMs: sqlite.results.resetCpu },
      postgres: { rate: postgres.results.resets.requests.average, cpuMs: postgres.results.resetCpu },
    },
    {
      name: 'GET /exposure (alone)',
      sqlite: { rate: sqlite.results.exposureAlone.requests.average, cpuMs: sqlite.results.pageCpuMs },
      postgres: { rate: postgres.results.exposureAlone.requests.average, cpuMs: postgres.results.pageCpuMs },
    },
  ])
  for (const line of lines) console.log(line)
}

/**
 * Resets at saturation with page views beside them, against the production
 * portal over `backend`, the sessions made in its database. The page views
 * alone come first: their CPU share is then taken out of the resets'.
 */
async function measure(backend: BenchBackend, chosen: Awaited<ReturnType<typeof chooseHumans>>) {
  nextSession = 0
  const resetCookies = await backendSessionCookies(backend, sessionSecret, chosen.resetters)
  const readerCookies = await backendSessionCookies(backend, sessionSecret, chosen.readers)
  const portal = await startPopulationPortal(backend.databaseUrl, population.secrets, backend.dataDirectory)
  const { server } = portal
  try {
    const clock = await servingCpuClock(backend, server.child.pid as number)
    const csrf = await csrfPair(server.url)
    // Unmeasured first: each web process starts its password helper and warms its code.
    await Promise.all([
      resetLoad(server.url, csrf, resetCookies, WARMUP_SECONDS),
      exposureLoad(server.url, readerCookies, WARMUP_SECONDS),
    ])
    const aloneFrom = clock.ms()
    const exposureAlone = await exposureLoad(server.url, readerCookies, 5)
    const pageCpuMs = (clock.ms() - aloneFrom) / exposureAlone.requests.total
    const resetsFrom = clock.ms()
    const [resets, exposure] = await Promise.all([
      resetLoad(server.url, csrf, resetCookies, SECONDS),
      exposureLoad(server.url, readerCookies, SECONDS),
    ])
    // The page views' share, as measured alone, is taken out: what is left is the resets'.
    const resetCpu = (clock.ms() - resetsFrom - pageCpuMs * exposure.requests.total) / resets.requests.total
    return { resets, exposureAlone, exposure, resetCpu, pageCpuMs, cpuCovers: clock.covers }
  } finally {
    await portal.stop()
  }
}

/**
 * Members who still have to reset (one session each: a reset ends the
 * member's other sessions), other humans to read their exposure meanwhile,
 * and one legacy hash for the raw comparison.
 */
async function chooseHumans(path: string) {
  const db = openDatabase(path)
  const members = db.$client
    .prepare(
      `select s.human_id as humanId, s.id as subjectId from subjects s join member_accounts a on a.subject_id = s.id
       where s.cohort = 'member' and a.password_hash is null order by s.human_id limit ?`,
    )
    .all(RESETS) as { humanId: number; subjectId: number }[]
  const readers = db.$client
    .prepare(
      "select distinct human_id from subjects where human_id not in (select human_id from subjects where cohort = 'member') limit ?",
    )
    .pluck()
    .all(READERS) as number[]
  const crypto = createPortalCrypto({
    dataKey: population.secrets.PORTAL_DATA_KEY as string,
    indexKey: population.secrets.PORTAL_INDEX_KEY as string,
  })
  const account = await findMemberAccount(
    sqlitePortalDatabase(db),
    crypto.keyring,
    members[0]?.subjectId ?? 0,
  )
  db.$client.close()
  const legacyHash = account?.legacyPasswordHash
  if (!account || !legacyHash) throw new Error('no member with a legacy password hash in the bench database')
  return {
    resetters: members.map((member) => member.humanId),
    readers,
    legacyHash,
    personalWords: personalWordsOf(account.details),
  }
}

function resetLoad(
  url: string,
  csrf: { cookie: string; token: string },
  sessions: string[],
  seconds: number,
) {
  return cannon({
    url: `${url}/account/password`,
    method: 'POST',
    connections: RESET_CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
    requests: [{ method: 'POST', setupRequest: resetRequest(csrf, sessions) }],
  })
}

function exposureLoad(url: string, sessions: string[], seconds: number) {
  return cannon({
    url: `${url}/exposure`,
    connections: EXPOSURE_CONNECTIONS,
    overallRate: EXPOSURE_RATE,
    duration: seconds,
    requests: [{ setupRequest: rotate('cookie', sessions) }],
  })
}

/** Each request the next member's session (never one used before) with a fresh strong password. */
function resetRequest(csrf: { cookie: string; token: string }, sessions: string[]) {
  return (request: autocannon.Request) => {
    const session = sessions[nextSession % sessions.length] as string
    const password = strongPassword(nextSession++)
    return {
      ...request,
      headers: { ...request.headers, cookie: `${csrf.cookie}; ${session}` },
      body: `csrf=${csrf.token}&intent=save&password=${encodeURIComponent(password)}`,
    }
  }
}

// Four random-looking groups: far from any dictionary, a person's details or the service's names.
function strongPassword(n: number) {
  const letters = 'bcdfghjkmnpqrstvwxz'
  let seed = (n + 1) * 2654435761
  const group = () =>
    Array.from({ length: 5 }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return letters[seed % letters.length]
    }).join('')
  return `${group()} ${group()} ${group()} ${group()}`
}

/**
 * CPU time of one strength score as a reset asks for it (a helper process of
 * this one, the member's own words among the inputs); Linux only.
 */
async function strengthScoreCpuMs(userInputs: string[]) {
  const score = (i: number) => passwordWork('score', { password: strongPassword(2_000_000 + i), userInputs })
  for (let i = 0; i < 20; i++) await score(i) // the helper starts and warms up
  const from = processTreeCpuMs(process.pid) ?? Number.NaN
  const count = 200
  for (let i = 0; i < count; i++) await score(20 + i)
  const cpuMs = ((processTreeCpuMs(process.pid) ?? Number.NaN) - from) / count
  stopPasswordWork()
  return cpuMs
}

/** Operations a second of the reset's cryptography alone, enough of them at once to keep every core busy. */
async function rawRate(legacyHash: string) {
  const bcrypt = createRequire(import.meta.url)('bcrypt') as {
    compare(a: string, b: string): Promise<boolean>
  }
  const nativeHash = legacyHash.replace(/^\$2y\$/, '$2b$')
  const deadline = performance.now() + SECONDS * 1000
  let done = 0
  const started = performance.now()
  const cpuBefore = process.cpuUsage()
  await Promise.all(
    Array.from({ length: availableParallelism() * 2 }, async (_, lane) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const password = strongPassword(lane * 1_000_000 + i)
        await bcrypt.compare(password, nativeHash)
        await argon2.hash(password, ARGON2_PARAMETERS)
        done++
      }
    }),
  )
  const cpu = process.cpuUsage(cpuBefore)
  return { rate: done / ((performance.now() - started) / 1000), cpuMs: (cpu.user + cpu.system) / 1000 / done }
}
