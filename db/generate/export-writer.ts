import type { ExportFile, ValueKind } from './columns'
import type { CsvSink } from './csv-sink'
import type { FileLayout } from './layout'
import { type MessyOptions, messyValue, ROW_MESSY_SHARE } from './messy'
import { type Rng, rngAt } from './prng'

export interface Messiness {
  /** The seeded stream for this file's messy rows. */
  stream: number
  options: MessyOptions
}

export interface WriteOptions {
  /** Keep the row exactly as given even with --messy: the demo personas. */
  clean?: boolean
  /** Values that replace the row's after it was made messy: a row the importer must reject. */
  patch?: Record<string, string>
}

const LEGACY_FLAGS = ['0', '0', '0', '1', '']

/** Turns rows of one export into CSV lines in the file's layout, making them messy if asked. */
export class ExportWriter<Row extends Record<string, string>> {
  rows = 0
  private readonly keys: string[]
  private readonly kinds: ValueKind[]

  constructor(
    private readonly args: {
      file: ExportFile<Row>
      sink: CsvSink
      layout: FileLayout
      messiness?: Messiness
    },
  ) {
    const columns = args.file.columns as Record<string, ValueKind>
    this.keys = Object.keys(columns)
    this.kinds = this.keys.map((key) => columns[key] as ValueKind)
    args.sink.writeRow(args.layout.header)
  }

  /** Returns a promise to await before the next write when the file's stream is full. */
  write(row: Row, options: WriteOptions = {}): Promise<unknown> | undefined {
    const { sink, layout, messiness } = this.args
    const rng = messiness && !options.clean ? rngAt(messiness.stream, this.rows) : undefined
    const values = this.keys.map((key) => row[key] as string)
    if (rng && messiness && rng.chance(ROW_MESSY_SHARE))
      this.mess({ values, rng, options: messiness.options })
    if (options.patch) this.applyPatch(values, options.patch)
    if (layout.extraColumn) values.push(rng ? rng.pick(LEGACY_FLAGS) : '')
    sink.writeRow(layout.order.map((i) => values[i] as string))
    this.rows++
    return sink.blocked
  }

  private mess(args: { values: string[]; rng: Rng; options: MessyOptions }): void {
    const { values, rng, options } = args
    for (let i = 0; i < values.length; i++) {
      values[i] = messyValue({ kind: this.kinds[i] as ValueKind, value: values[i] as string, rng, options })
    }
  }

  private applyPatch(values: string[], patch: Record<string, string>): void {
    for (const [key, value] of Object.entries(patch)) values[this.keys.indexOf(key)] = value
  }
}
