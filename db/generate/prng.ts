/**
 * Seeded randomness. Every record gets its own small generator, seeded from (run seed, stream, row),
 * so any record can be rebuilt on its own: an auction buyer who is also a member copies that member's
 * name and phone by rebuilding the member, without keeping a million members in memory.
 * mulberry32 is enough for that: 32 bits of state per record, a handful of operations per number,
 * and never Math.random, so the same seed always gives byte-identical files.
 */

/** FNV-1a, to turn a seed string or an ID into 32 bits. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** The murmur3 finaliser: neighbouring rows must not get neighbouring generator states. */
function mix(value: number): number {
  let h = value >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

export class Rng {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** An integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  chance(probability: number): boolean {
    return this.next() < probability
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  /** Early items more often: common names are common. */
  pickSkewed<T>(items: readonly T[]): T {
    const r = this.next()
    return items[Math.floor(r * r * items.length)] as T
  }

  /** A Fisher–Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
    }
    return copy
  }
}

/**
 * A stream keeps one kind of randomness apart from the others (members, buyers, messiness, salts, ...),
 * so adding --messy never changes who the people are.
 */
export function streamSeed(args: { seed: number; stream: string }): number {
  return mix(args.seed ^ mix(hashString(args.stream)))
}

export function rngAt(stream: number, index: number): Rng {
  return new Rng(mix(stream ^ mix(index + 1)))
}
