import { expect } from 'vitest'

/**
 * Comparing the time two kinds of request take (a known and an unknown
 * identity) on a machine that may be busy with other tests: the two kinds are
 * interleaved, which goes first alternating, so load falls on both alike; the
 * bar grows with the noise actually measured (a third of the interquartile
 * range of all times) but never drops below `minBarMs`.
 */

export type Timed = { status: number; ms: number }

export type TimingComparison = {
  known: number
  unknown: number
  gap: number
  /** The interquartile range of every time measured. */
  spread: number
  bar: number
}

const quantile = (sorted: number[], q: number) => {
  const at = (sorted.length - 1) * q
  const below = sorted[Math.floor(at)] as number
  const above = sorted[Math.ceil(at)] as number
  return below + (above - below) * (at - Math.floor(at))
}

export const median = (values: number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  )

export async function compareTimings({
  known,
  unknown,
  tries,
  warmUp,
  expectedStatus,
  minBarMs,
}: {
  known: (i: number) => Promise<Timed>
  unknown: (i: number) => Promise<Timed>
  tries: number
  warmUp: number
  expectedStatus: number
  minBarMs: number
}): Promise<TimingComparison> {
  const times = { known: [] as number[], unknown: [] as number[] }
  for (let i = 0; i < warmUp + tries; i++) {
    const [k, u] =
      i % 2 === 0
        ? [await known(i), await unknown(i)]
        : await unknown(i).then(async (u) => [await known(i), u] as const)
    expect(k.status, `known try ${i}`).toBe(expectedStatus)
    expect(u.status, `unknown try ${i}`).toBe(expectedStatus)
    if (i < warmUp) continue
    times.known.push(k.ms)
    times.unknown.push(u.ms)
  }
  const all = [...times.known, ...times.unknown].sort((a, b) => a - b)
  const spread = quantile(all, 0.75) - quantile(all, 0.25)
  const result = { known: median(times.known), unknown: median(times.unknown) }
  return {
    ...result,
    gap: Math.abs(result.known - result.unknown),
    spread,
    bar: Math.max(minBarMs, spread / 3),
  }
}

const ms = (value: number) => `${value.toFixed(2)} ms`

export const timingSummary = (what: string, result: TimingComparison) =>
  `${what}: known ${ms(result.known)}, unknown ${ms(result.unknown)}, gap ${ms(result.gap)}, ` +
  `IQR ${ms(result.spread)}, bar ${ms(result.bar)}`
