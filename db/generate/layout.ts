import { EXPORTS, type ExportKind } from './columns'
import { type Rng, rngAt, streamSeed } from './prng'

/** How one file is laid out: what --messy varies per file rather than per row. */
export interface FileLayout {
  bom: boolean
  crlf: boolean
  /** The header names in the order they are written, possibly with the unknown extra column. */
  header: string[]
  /** For each written column, its index in the canonical column list (the extra column is last). */
  order: number[]
  extraColumn: boolean
}

export const EXTRA_COLUMN = 'legacy_flag'
const KINDS = Object.keys(EXPORTS) as ExportKind[]

type Flag = 'bom' | 'crlf' | 'order' | 'extraColumn'

export function plainLayout(kind: ExportKind): FileLayout {
  const header = Object.keys(EXPORTS[kind].columns)
  return { bom: false, crlf: false, header, order: header.map((_, i) => i), extraColumn: false }
}

/** Some files but never all or none: a reader must cope with both in the same import. */
function someKinds(rng: Rng): Set<ExportKind> {
  return new Set(rng.shuffled(KINDS).slice(0, rng.between(1, KINDS.length - 1)))
}

function messyLayout(args: { kind: ExportKind; flags: Record<Flag, Set<ExportKind>>; rng: Rng }): FileLayout {
  const { kind, flags, rng } = args
  const names = [...Object.keys(EXPORTS[kind].columns)]
  const extraColumn = flags.extraColumn.has(kind)
  if (extraColumn) names.push(EXTRA_COLUMN)
  const canonical = names.map((_, i) => i)
  const order = flags.order.has(kind) ? shuffledUnlessSame(canonical, rng) : canonical
  return {
    bom: flags.bom.has(kind),
    crlf: flags.crlf.has(kind),
    header: order.map((i) => names[i] as string),
    order,
    extraColumn,
  }
}

/** A shuffle that happens to keep the order would not be a shuffled file; rotate it instead. */
function shuffledUnlessSame(items: number[], rng: Rng): number[] {
  const shuffled = rng.shuffled(items)
  return shuffled.every((item, i) => item === items[i]) ? [...items.slice(1), items[0] as number] : shuffled
}

export function layoutsFor(args: {
  seed: number
  encoding: 'utf8' | 'cp932'
}): Record<ExportKind, FileLayout> {
  const rng = rngAt(streamSeed({ seed: args.seed, stream: 'layout' }), 0)
  const flags: Record<Flag, Set<ExportKind>> = {
    bom: args.encoding === 'utf8' ? someKinds(rng) : new Set<ExportKind>(),
    crlf: someKinds(rng),
    order: someKinds(rng),
    extraColumn: someKinds(rng),
  }
  return Object.fromEntries(KINDS.map((kind) => [kind, messyLayout({ kind, flags, rng })])) as Record<
    ExportKind,
    FileLayout
  >
}
