import { Presets, SingleBar } from 'cli-progress'

/**
 * A bar for work counted in values (sealing again, rotating keys) on the
 * terminal; nothing when the output is not one (a log file, a test).
 */
export function createCountBar(label: string) {
  if (!process.stderr.isTTY) return { update: (_done: number, _total: number) => {}, stop: () => {} }
  const bar = new SingleBar(
    {
      format: ` ${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  )
  const startedAt = Date.now()
  let started = false
  return {
    update(done: number, total: number) {
      const rate = Math.round(done / Math.max((Date.now() - startedAt) / 1000, 0.001))
      if (!started) bar.start(total, done, { rate })
      else bar.update(done, { rate })
      started = true
    },
    stop: () => {
      if (started) bar.stop()
    },
  }
}
