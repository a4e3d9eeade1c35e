import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateExports } from '~db/generate/generate'
import { portalCommand } from '../support/portal-command'
import { testSecrets } from '../support/secrets'
import { startSinkProcess } from './sink-process'

/**
 * npm run bench:notify: a million generated people (members, auction buyers,
 * employees, warehouse staff) notified, and their e-mails sent by the outbox
 * sender into an SMTP sink on loopback; beside it, the sink's rate for the
 * same messages sent raw from one nodemailer pool. Bars: ratio >= 0.5, memory
 * flat (RSS at the end about what it was a tenth of the way in).
 */

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 1_000_000)
const cacheDirectory = fileURLToPath(new URL(`../../.cache/bench-notify-${PEOPLE}/`, import.meta.url))

type Phase = {
  phase: string
  count: number
  seconds: number
  rate: number
  rssAtTenthMb: number
  rssEndMb: number
  maxRssMb: number
  email?: number
  postcard?: number
  handout?: number
  failed?: number
}

/** A database of PEOPLE imported people, made once and copied for every run. */
async function cachedDatabase() {
  const database = join(cacheDirectory, 'imported.db')
  const secretsFile = join(cacheDirectory, 'secrets.json')
  if (existsSync(database) && existsSync(secretsFile)) {
    return { database, secrets: JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string> }
  }
  mkdirSync(cacheDirectory, { recursive: true })
  const exports = join(cacheDirectory, 'export')
  console.log(`Generating and importing ${PEOPLE.toLocaleString('en')} people into ${cacheDirectory} (once)…`)
  await generateExports({
    outDir: exports,
    members: Math.round(PEOPLE * 0.8),
    buyers: Math.round(PEOPLE * 0.2) - 2 * Math.max(5, Math.floor(PEOPLE / 1000)),
    employees: Math.max(5, Math.floor(PEOPLE / 1000)),
    warehouse: Math.max(5, Math.floor(PEOPLE / 1000)),
    seed: 'bench-notify',
    encoding: 'utf8',
    messy: false,
    demo: false,
  })
  const secrets = testSecrets()
  const run = portalCommand('tests/bench/import-run.ts')
  const building = join(cacheDirectory, 'importing.db')
  const result = spawnSync(run.command, [...run.args, building, exports], {
    env: { ...process.env, ...run.env, ...secrets },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`)
  copyFileSync(building, database)
  rmSync(building, { force: true })
  rmSync(exports, { recursive: true, force: true })
  writeFileSync(secretsFile, JSON.stringify(secrets))
  return { database, secrets }
}

function runPhase(
  phase: string,
  databasePath: string,
  secrets: Record<string, string>,
  sinkUrl: string,
  total: number,
) {
  const run = portalCommand('tests/bench/notify-run.ts')
  const result = spawnSync(run.command, [...run.args, phase, databasePath, sinkUrl, String(total)], {
    env: { ...process.env, ...run.env, ...secrets },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0) throw new Error(`${phase} failed: ${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Phase
}

const { database, secrets } = await cachedDatabase()
const workDirectory = mkdtempSync(join(tmpdir(), 'bench-notify-'))
const databasePath = join(workDirectory, 'portal.db')
copyFileSync(database, databasePath)
const sink = await startSinkProcess()

let phases: { notify: Phase; raw: Phase; send: Phase; rawReceived: number; sendReceived: number }
try {
  const notify = runPhase('notify', databasePath, secrets, sink.url, PEOPLE)
  const emails = notify.email ?? 0
  // Raw first: it renders its samples from the outbox, which sending empties.
  const raw = runPhase('raw', databasePath, secrets, sink.url, emails)
  const rawReceived = await sink.count()
  const send = runPhase('send', databasePath, secrets, sink.url, emails)
  const sendReceived = (await sink.count()) - rawReceived
  phases = { notify, raw, send, rawReceived, sendReceived }
} finally {
  await sink.close()
  rmSync(workDirectory, { recursive: true, force: true })
}
const { notify, raw, send, rawReceived, sendReceived } = phases
const emails = notify.email ?? 0

const count = (n: number) => n.toLocaleString('en')
const mb = (phase: Phase) =>
  `RSS ${phase.rssAtTenthMb.toFixed(0)} MB at 10%, ${phase.rssEndMb.toFixed(0)} MB at the end, peak ${phase.maxRssMb.toFixed(0)} MB`
const ratio = send.rate / raw.rate
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`)
console.log(
  `notify:       ${count(notify.count)} people in ${notify.seconds.toFixed(1)} s = ${count(Math.round(notify.rate))} people/s ` +
    `(${count(emails)} e-mails, ${count(notify.postcard ?? 0)} postcards, ${count(notify.handout ?? 0)} handouts); ${mb(notify)}`,
)
console.log(
  `send:         ${count(send.count)} messages in ${send.seconds.toFixed(1)} s = ${count(Math.round(send.rate))} messages/s ` +
    `(sink received ${count(sendReceived)}, failed ${send.failed ?? 0}); ${mb(send)}`,
)
console.log(
  `raw pool:     ${count(raw.count)} messages in ${raw.seconds.toFixed(1)} s = ${count(Math.round(raw.rate))} messages/s ` +
    `(sink received ${count(rawReceived)}); ${mb(raw)}`,
)
console.log(`ratio:        ${ratio.toFixed(2)} (bar >= 0.5)`)
console.log(
  `memory flat:  send ${(send.rssEndMb / Math.max(send.rssAtTenthMb, 1)).toFixed(2)}×, notify ${(notify.rssEndMb / Math.max(notify.rssAtTenthMb, 1)).toFixed(2)}× from 10% to the end`,
)
