import { MultiBar, Presets, type SingleBar } from 'cli-progress'
import type { ImportProgress } from './import-files'

/** A bar per file on the terminal: bytes read, records per second and time left. */
export function createProgressBar(): ImportProgress {
  const bars = new MultiBar(
    {
      format: ' {file} [{bar}] {percentage}% | {records} records | {rate}/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    Presets.shades_classic,
  )
  let bar: SingleBar | undefined
  let records = 0
  let startedAt = Date.now()
  return {
    start(file, bytes) {
      bar?.stop()
      records = 0
      startedAt = Date.now()
      bar = bars.create(bytes, 0, { file: file.padEnd(22), records: 0, rate: 0 })
    },
    advance(bytes, handled) {
      records += handled
      const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001)
      bar?.increment(bytes, { records, rate: Math.round(records / seconds) })
    },
    finish() {
      bar?.stop()
      bars.stop()
    },
  }
}
