import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { EXPORTS, type ExportKind, type ExportRows } from './columns'
import { CsvSink, type Encoding } from './csv-sink'
import { demoBuyers, demoCards, demoEmployees, demoMembers, demoStaff } from './demo-rows'
import { ExportWriter, type WriteOptions } from './export-writer'
import { layoutsFor, plainLayout } from './layout'
import { messyOptionsFor } from './messy'
import { buildBuyer, buildEmployee, buildMember, buildStaff } from './people'
import { streamSeed } from './prng'
import { Rejects } from './rejects'
import { createWorld, type World } from './world'

/** Writes the five legacy exports into one directory: see app/cli/generate.ts for the command around it. */

export interface GenerateOptions {
  outDir: string
  members: number
  buyers: number
  employees: number
  warehouse: number
  seed: string
  encoding: Encoding
  messy: boolean
  demo: boolean
  /** Called now and then with the people written so far (cards not counted). */
  onProgress?: (done: number, total: number) => void
}

export interface GenerateResult {
  /** Data rows written per export, demo personas and rejects included. */
  rows: Record<ExportKind, number>
  files: string[]
  seconds: number
}

type Writers = { [K in ExportKind]: ExportWriter<ExportRows[K]> }

const KINDS = Object.keys(EXPORTS) as ExportKind[]
const PROGRESS_EVERY = 4096

function openFiles(
  options: GenerateOptions,
  world: World,
): { writers: Writers; sinks: CsvSink[]; files: string[] } {
  const layouts = options.messy ? layoutsFor({ seed: world.seed, encoding: options.encoding }) : undefined
  const files: string[] = []
  const sinks: CsvSink[] = []
  const open = <K extends ExportKind>(kind: K): ExportWriter<ExportRows[K]> => {
    const layout = layouts?.[kind] ?? plainLayout(kind)
    const path = resolve(join(options.outDir, EXPORTS[kind].fileName))
    const sink = new CsvSink({ path, encoding: options.encoding, bom: layout.bom, crlf: layout.crlf })
    const messiness = options.messy
      ? {
          stream: streamSeed({ seed: world.seed, stream: `messy-${kind}` }),
          options: messyOptionsFor(options.encoding),
        }
      : undefined
    files.push(path)
    sinks.push(sink)
    return new ExportWriter({ file: EXPORTS[kind], sink, layout, messiness })
  }
  const writers: Writers = {
    members: open('members'),
    cards: open('cards'),
    buyers: open('buyers'),
    employees: open('employees'),
    staff: open('staff'),
  }
  return { writers, sinks, files }
}

async function writeRows<Row extends Record<string, string>>(
  writer: ExportWriter<Row>,
  rows: readonly Row[],
  options: WriteOptions = {},
): Promise<void> {
  for (const row of rows) {
    const wait = writer.write(row, options)
    if (wait !== undefined) await wait
  }
}

async function writeDemo(writers: Writers, world: World): Promise<void> {
  const clean = { clean: true }
  await writeRows(writers.members, demoMembers(world.hashes), clean)
  await writeRows(writers.cards, demoCards(), clean)
  await writeRows(writers.buyers, demoBuyers(), clean)
  await writeRows(writers.employees, demoEmployees(world.hashes), clean)
  await writeRows(writers.staff, demoStaff(), clean)
}

class Progress {
  private done = 0
  constructor(
    private readonly total: number,
    private readonly report?: (done: number, total: number) => void,
  ) {}

  step(): void {
    this.done++
    if (this.done % PROGRESS_EVERY === 0 || this.done === this.total) this.report?.(this.done, this.total)
  }
}

async function writeMembers(args: { writers: Writers; world: World; rejects?: Rejects; progress: Progress }) {
  const { writers, world, rejects, progress } = args
  for (let i = 0; i < world.counts.members; i++) {
    const { row, cards } = buildMember(world, i)
    const wait = writers.members.write(row, { patch: rejects?.patchFor('members', i) })
    if (wait !== undefined) await wait
    const orphan = rejects?.orphanCard(i)
    await writeRows(writers.cards, orphan ? [...cards, orphan] : cards)
    progress.step()
  }
}

async function writePeople<Row extends Record<string, string>>(args: {
  writer: ExportWriter<Row>
  kind: ExportKind
  count: number
  build: (index: number) => Row
  rejects?: Rejects
  progress: Progress
}) {
  const { writer, kind, rejects, progress } = args
  for (let i = 0; i < args.count; i++) {
    const wait = writer.write(args.build(i), { patch: rejects?.patchFor(kind, i) })
    if (wait !== undefined) await wait
    progress.step()
  }
}

/** Buyers, employees and warehouse staff: one row per person, nothing attached. */
async function writeOthers(args: { writers: Writers; world: World; rejects?: Rejects; progress: Progress }) {
  const { writers, world, ...shared } = args
  const { counts } = world
  await writePeople({
    ...shared,
    writer: writers.buyers,
    kind: 'buyers',
    count: counts.buyers,
    build: (i) => buildBuyer(world, i),
  })
  await writePeople({
    ...shared,
    writer: writers.employees,
    kind: 'employees',
    count: counts.employees,
    build: (i) => buildEmployee(world, i),
  })
  await writePeople({
    ...shared,
    writer: writers.staff,
    kind: 'staff',
    count: counts.staff,
    build: (i) => buildStaff(world, i),
  })
}

export async function generateExports(options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now()
  await mkdir(options.outDir, { recursive: true })
  const counts = {
    members: options.members,
    buyers: options.buyers,
    employees: options.employees,
    staff: options.warehouse,
  }
  const world = createWorld({ seed: options.seed, counts })
  const { writers, sinks, files } = openFiles(options, world)
  const rejects = options.messy ? new Rejects(world.seed) : undefined
  const total = counts.members + counts.buyers + counts.employees + counts.staff
  const progress = new Progress(total, options.onProgress)
  if (options.demo) await writeDemo(writers, world)
  await writeMembers({ writers, world, rejects, progress })
  await writeOthers({ writers, world, rejects, progress })
  await Promise.all(sinks.map((sink) => sink.close()))
  const rows = Object.fromEntries(KINDS.map((kind) => [kind, writers[kind].rows]))
  return { rows: rows as GenerateResult['rows'], files, seconds: (performance.now() - started) / 1000 }
}
