import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import type autocannon from 'autocannon'
import { type KeyStatus, keyIdHex } from '~/keys/key-status.server'
import { dataKeyFrom } from '~db/seal'
import { readDatabase } from '../support/check-visitor'
import { startPortalCommand } from '../support/notified-population'
import { backendSessionCookies } from './backend-measures'
import { benchDatabaseArguments, failInOneLine, postgresServerName } from './bench-database'
import { cannon, cannonUntilStopped } from './cannon'
import {
  benchBackends,
  firstHumans,
  machineLine,
  populationCopy,
  startPopulationPortal,
} from './population-run'
import { describeResult, rotate } from './portal-load'
import { processTreeCpuMs } from './process-cpu'

/**
 * npm run bench:rotate: `npm run keys:rotate` over bench:verify's million
 * generated members (its cached population, every value sealed under its data
 * key A and every blind index under its index key A) while the production
 * portal serves, as README's "Data keys" and "Index keys" tell an operator to
 * retire keys: new keys B current, A previous, the portal restarted with both;
 * the command seals every value again and then recomputes every digest.
 * GET /exposure alone first, then the same load for the whole of the rotation
 * (which runs as its own process, as an operator runs it), measured apart in
 * its two phases.
 * Afterwards keys:status and the file's integrity check; then, the portal
 * stopped, a second rotation (B to a third key) for the rotation's pace
 * without load. Bars: /exposure p99 in either phase at most 100 ms, every
 * answer 200, nothing left under A (values or digests) and the file sound.
 * `--database postgres://…` runs it all on PostgreSQL instead (the population
 * copied into a database the run makes on that server and drops; no file to
 * check there).
 */

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 1_000_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10)
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3)
// The rotation without load doubles the run's length at a million members; `off` leaves it out.
const UNLOADED = process.env.BENCH_UNLOADED !== 'off'
const SESSIONS = 2000
const P99_BAR_MS = 100
// The load beside the rotation is stopped when the rotation exits; this only ends a run gone wrong.
const LOAD_CEILING_SECONDS = 4 * 60 * 60

const USAGE = 'usage: npm run bench:rotate [-- --database postgres://USER@HOST:PORT/DATABASE]'

const { postgresUrl } = benchDatabaseArguments(USAGE)
const loadAtStart = loadavg()[0]?.toFixed(1)
const work = await populationCopy('rotate', MEMBERS)
const { population, workDirectory, databasePath } = work
// The copy (gigabytes at a million members) goes however the run ends: a throw, a failed bar, Ctrl-C.
process.on('exit', () => work.remove())
const { backends, release } = await benchBackends(work, 'rotate', postgresUrl).catch((error) =>
  failInOneLine('PostgreSQL', error),
)
// With --database, the PostgreSQL copy alone is rotated and served; the SQLite copy is only its source.
const backend = backends.at(-1) as (typeof backends)[number]
// Ctrl-C reaches the children by itself; a signal to this process alone must stop them too, or they
// would go on serving and rotating a copy that is gone.
const running: { portal?: { stop: () => Promise<void> }; rotation?: ChildProcess } = {}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    running.rotation?.kill()
    void (running.portal?.stop() ?? Promise.resolve()).finally(release).finally(() => process.exit(1))
  })

const { secrets } = population
const keyA = secrets.PORTAL_DATA_KEY as string
const keyB = randomBytes(32).toString('base64')
const idA = keyIdOf(keyA)
const idB = keyIdOf(keyB)
const indexA = secrets.PORTAL_INDEX_KEY as string
const indexB = randomBytes(32).toString('base64')
const retiringA = {
  PORTAL_DATA_KEY: keyB,
  PORTAL_PREVIOUS_DATA_KEYS: keyA,
  PORTAL_INDEX_KEY: indexB,
  PORTAL_PREVIOUS_INDEX_KEY: indexA,
}

const before = await keysStatus(retiringA)
if (before.report.toReseal === 0) throw new Error('the population has nothing to seal again under a new key')
const exposureCookies = await backendSessionCookies(
  backend,
  secrets.SESSION_SECRET as string,
  firstHumans(databasePath, SESSIONS),
)

const portal = await startPopulationPortal(
  backend.databaseUrl,
  { ...secrets, ...retiringA },
  backend.dataDirectory,
)
running.portal = portal
const { server } = portal
let alone: Measured
let during: { sealing: Measured; indexing: Measured; rotation: Rotation }
try {
  if (WARMUP_SECONDS > 0) await exposureLoad(WARMUP_SECONDS)
  alone = await withServerCpu(async () => ({ result: await exposureLoad(SECONDS) }))
  during = await rotateUnderLoad()
} finally {
  await portal.stop()
}

const after = await keysStatus(retiringA)
const leftUnderA = after.report.keys.find((key) => key.keyId === idA)?.values ?? 0
// A file to check on SQLite; PostgreSQL keeps its own pages.
const integrity =
  backend.name === 'SQLite'
    ? readDatabase(databasePath, (db) => db.pragma('integrity_check', { simple: true }))
    : 'not applicable (PostgreSQL)'
// B to a third key, the portal stopped: the same values again, with the machine to itself.
const unloaded = UNLOADED
  ? await timedRotation({
      PORTAL_DATA_KEY: randomBytes(32).toString('base64'),
      PORTAL_PREVIOUS_DATA_KEYS: keyB,
      PORTAL_INDEX_KEY: randomBytes(32).toString('base64'),
      PORTAL_PREVIOUS_INDEX_KEY: indexB,
    })
  : undefined

await release()

console.log(
  `${machineLine()}; load average ${loadAtStart} at the start, ${loadavg()[0]?.toFixed(1)} at the end`,
)
if (backend.name === 'PostgreSQL')
  console.log(
    `on PostgreSQL at ${postgresServerName(backend.databaseUrl)} (dropped); CPU a request is the portal's, not the server's`,
  )
console.log(
  `database: ${MEMBERS.toLocaleString('en')} members and the generator's other cohorts; ` +
    `${count(before.report.toReseal)} sealed values under key ${idA} (A), to be sealed again under ${idB} (B), ` +
    `and ${count(before.report.index.toRecompute)} rows' blind indexes under index key ${before.report.index.storedKeyId}, to recompute under ${before.report.index.currentKeyId}; ` +
    `keys:status alone ${before.seconds.toFixed(1)} s (the command's start and one counting pass)`,
)
console.log(`GET /exposure, closed loop of ${CONNECTIONS} connections, ${count(SESSIONS)} sessions:`)
line('alone', alone)
line('while values are sealed again', during.sealing)
line('while digests are recomputed', during.indexing)
console.log(
  `keys:rotate, B current and A previous, the portal serving: ${rate(during.rotation)} ` +
    `(wall time of the command, its start and counting passes included; load for ${(during.sealing.result.duration + during.indexing.result.duration).toFixed(0)} s)`,
)
if (unloaded) console.log(`keys:rotate again (B to a third key), the portal stopped: ${rate(unloaded)}`)
console.log(
  `after: ${count(after.report.toReseal)} values to seal again, ${count(leftUnderA)} under A, ` +
    `${count(after.report.unopenable)} unopenable, ${count(after.report.index.toRecompute)} rows' digests to recompute, ` +
    `digests under ${after.report.index.storedKeyId}; integrity_check ${integrity}`,
)

const verdict = (met: boolean) => (met ? 'PASS' : 'FAIL')
// The worse phase's p99: no merged histogram is at hand, and the whole rotation's p99 is never above it.
const p99 = Math.max(during.sealing.result.latency.p99, during.indexing.result.latency.p99)
const failures = [during.sealing.result, during.indexing.result]
  .map((result) => describeResult('', result, 200).unexpected + result.errors + result.timeouts)
  .reduce((sum, each) => sum + each, 0)
const indexDone =
  after.report.index.toRecompute === 0 && after.report.index.storedKeyId === after.report.index.currentKeyId
const fileSound = backend.name === 'PostgreSQL' || integrity === 'ok'
const nothingLeft = after.report.toReseal === 0 && leftUnderA === 0 && indexDone && fileSound
console.log(
  `/exposure p99 during the rotation (the worse phase): ${p99} ms (bar <= ${P99_BAR_MS} ms): ${verdict(p99 <= P99_BAR_MS)}`,
)
console.log(
  `/exposure answers other than 200, and errors, during the rotation: ${count(failures)} (bar 0): ${verdict(failures === 0)}`,
)
console.log(
  `left under A: ${count(leftUnderA)}, to seal again: ${count(after.report.toReseal)}, ` +
    `digests to recompute: ${count(after.report.index.toRecompute)}, integrity_check ${integrity} ` +
    `(bar: 0, 0, 0, ok): ${verdict(nothingLeft)}`,
)
process.exit(p99 <= P99_BAR_MS && failures === 0 && nothingLeft ? 0 : 1)

/** What `keys:status --json` prints: the data keys' status and the blind indexes'. */
type KeysReport = KeyStatus & { index: { storedKeyId: string; currentKeyId: string; toRecompute: number } }

/** What keys:rotate said it did, and its wall time (start and counting passes included). */
type Rotation = {
  values: number
  digestRows: number
  seconds: number
  /** From the command's start until it said the values were done (its start and counting pass included). */
  sealingSeconds: number
}
type Measured = { result: autocannon.Result; cpuMs: number }

function keyIdOf(key: string) {
  return keyIdHex(dataKeyFrom(key).id)
}

/** The keys command over the run's copy with these keys, as its own process. */
function keysCommand(keys: Record<string, string>, args: string[]) {
  return startPortalCommand('app/cli/keys.ts', {
    cwd: workDirectory,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? workDirectory,
      DATABASE_URL: backend.databaseUrl,
      ...secrets,
      ...keys,
    },
    args,
  })
}

async function keysStatus(keys: Record<string, string>) {
  const started = performance.now()
  const result = await keysCommand(keys, ['status', '--json']).result
  if (result.status !== 0) throw new Error(`keys:status exited with ${result.status}: ${result.stderr}`)
  return { report: JSON.parse(result.stdout) as KeysReport, seconds: (performance.now() - started) / 1000 }
}

/** keys:rotate to its end, timed from its start to its exit; `values`: how many it says it sealed again. */
async function timedRotation(keys: Record<string, string>, onSealed?: () => void): Promise<Rotation> {
  const started = performance.now()
  const command = keysCommand(keys, ['rotate', '--json'])
  running.rotation = command.child
  // The command says so when the values are done and the digests begin: the two phases' times.
  let sealedAt = Number.NaN
  let heard = ''
  command.child.stderr?.on('data', (chunk) => {
    heard += chunk
    if (Number.isNaN(sealedAt) && /values sealed again under key/.test(heard)) {
      sealedAt = performance.now()
      onSealed?.()
    }
  })
  const result = await command.result
  running.rotation = undefined
  const seconds = (performance.now() - started) / 1000
  if (result.status !== 0)
    throw new Error(`keys:rotate exited with ${result.status ?? result.signal}: ${result.stderr}`)
  const said = result.stderr.match(/([\d,]+) values sealed again under key/)?.[1]
  if (!said) throw new Error(`keys:rotate did not say how many values it sealed again: ${result.stderr}`)
  const digests = result.stderr.match(/([\d,]+) rows' blind indexes recomputed/)?.[1] ?? '0'
  return {
    values: Number(said.replaceAll(',', '')),
    digestRows: Number(digests.replaceAll(',', '')),
    seconds,
    sealingSeconds: (sealedAt - started) / 1000,
  }
}

/**
 * /exposure from the moment the rotation starts until it exits, one load while
 * values are sealed again and another while digests are recomputed, so each
 * phase has its own percentiles.
 */
async function rotateUnderLoad() {
  const pid = server.child.pid as number
  const cpuAtStart = processTreeCpuMs(pid) ?? Number.NaN
  let cpuAtSealed = Number.NaN
  const sealing = cannonUntilStopped(exposureOptions(LOAD_CEILING_SECONDS))
  let indexing: ReturnType<typeof cannonUntilStopped> | undefined
  let rotation: Rotation
  try {
    rotation = await timedRotation(retiringA, () => {
      sealing.stop()
      cpuAtSealed = processTreeCpuMs(pid) ?? Number.NaN
      indexing = cannonUntilStopped(exposureOptions(LOAD_CEILING_SECONDS))
    })
  } finally {
    sealing.stop()
    indexing?.stop()
  }
  const cpuAtEnd = processTreeCpuMs(pid) ?? Number.NaN
  if (!indexing) throw new Error('keys:rotate never said its values were sealed again')
  const sealed = await sealing.result
  const indexed = await indexing.result
  return {
    sealing: { result: sealed, cpuMs: (cpuAtSealed - cpuAtStart) / sealed.requests.total },
    indexing: { result: indexed, cpuMs: (cpuAtEnd - cpuAtSealed) / indexed.requests.total },
    rotation,
  }
}

/** A run, with the CPU time every server process spent a request of its load (Linux only; NaN elsewhere). */
async function withServerCpu<T extends { result: autocannon.Result }>(run: () => Promise<T>) {
  const pid = server.child.pid as number
  const cpuFrom = processTreeCpuMs(pid) ?? Number.NaN
  const measured = await run()
  return {
    ...measured,
    cpuMs: ((processTreeCpuMs(pid) ?? Number.NaN) - cpuFrom) / measured.result.requests.total,
  }
}

function exposureOptions(duration: number): autocannon.Options {
  return {
    url: `${server.url}/exposure`,
    connections: CONNECTIONS,
    duration,
    requests: [{ setupRequest: rotate('cookie', exposureCookies) }],
  }
}

function exposureLoad(duration: number) {
  return cannon(exposureOptions(duration))
}

function line(when: string, { result, cpuMs }: Measured) {
  const cpu = Number.isFinite(cpuMs) ? `, CPU ${cpuMs.toFixed(1)} ms a request` : ''
  console.log(`  ${describeResult(`GET /exposure (${when})`, result, 200).line}${cpu}`)
}

function rate({ values, digestRows, seconds, sealingSeconds }: Rotation) {
  const indexing = seconds - sealingSeconds
  return (
    `${seconds.toFixed(1)} s in all: ${count(values)} values sealed again in ${sealingSeconds.toFixed(1)} s = ` +
    `${count(Math.round(values / sealingSeconds))} values/s, then ${count(digestRows)} rows' digests recomputed in ` +
    `${indexing.toFixed(1)} s = ${count(Math.round(digestRows / indexing))} rows/s`
  )
}

function count(n: number) {
  return n.toLocaleString('en')
}
