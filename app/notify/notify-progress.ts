import { Presets, SingleBar } from 'cli-progress'
import type { NotifyProgress } from './notify.server'

/** One bar on the terminal: people handled, rate and time left. */
export function createNotifyProgressBar(): NotifyProgress {
  const bar = new SingleBar(
    {
      format: ' notify [{bar}] {percentage}% | {value}/{total} people | {rate}/s | ETA {eta_formatted}',
      hideCursor: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  )
  let startedAt = Date.now()
  return {
    start(total) {
      startedAt = Date.now()
      bar.start(total, 0, { rate: 0 })
    },
    advance(humans) {
      const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001)
      bar.increment(humans, { rate: Math.round((bar.getProgress() * bar.getTotal() + humans) / seconds) })
    },
    finish() {
      bar.stop()
    },
  }
}
