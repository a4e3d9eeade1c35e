import { basename } from 'node:path'
import { Presets, SingleBar } from 'cli-progress'
import { generateExports } from '~db/generate/generate'
import { parseGenerateArgs, USAGE } from './generate-args'

/**
 * npm run generate -- --out DIR [--members N --buyers N --employees N --warehouse N --seed S
 *   --encoding utf8|cp932 --messy --demo]
 * Writes synthetic legacy exports (see domain.md, "The export the portal imports"). Exit code 2 on
 * bad arguments. The progress bar goes to stderr, and only to a terminal, so pipes and logs stay clean.
 */

function progressBar(): { update: (done: number, total: number) => void; stop: () => void } | undefined {
  if (!process.stderr.isTTY) return undefined
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: '{bar} {percentage}% | {value}/{total} people | {rate}/s | ETA {eta_formatted}',
      fps: 5,
    },
    Presets.shades_classic,
  )
  let started = false
  const startedAt = performance.now()
  return {
    update(done, total) {
      if (!started) bar.start(total, 0, { rate: 0 })
      started = true
      bar.update(done, { rate: Math.round(done / ((performance.now() - startedAt) / 1000)) })
    },
    stop: () => bar.stop(),
  }
}

async function main(): Promise<number> {
  const parsed = parseGenerateArgs(process.argv.slice(2))
  if (!parsed.ok) {
    process.stderr.write(`generate: ${parsed.error} (see --help)\n`)
    return 2
  }
  if ('help' in parsed) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const bar = progressBar()
  const result = await generateExports({ ...parsed.args, onProgress: bar?.update }).finally(() => bar?.stop())
  const { rows } = result
  process.stdout.write(
    `Wrote ${rows.members} members, ${rows.cards} cards, ${rows.buyers} auction buyers, ${rows.employees} employees, ` +
      `${rows.staff} warehouse staff to ${parsed.args.outDir} (${result.files.map((file) => basename(file)).join(', ')}) ` +
      `in ${result.seconds.toFixed(2)} s\n`,
  )
  return 0
}

process.exitCode = await main().catch((error: Error) => {
  process.stderr.write(`generate: ${error.message}\n`)
  return 1
})
