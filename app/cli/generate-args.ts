import { z } from 'zod'
import type { GenerateOptions } from '~db/generate/generate'
import { readArguments } from './arguments'

/** The command line of `npm run generate`, read as every command's is (./arguments.ts). */

export const USAGE =
  'usage: npm run generate -- --out DIR [--members N --buyers N --employees N --warehouse N --seed S --encoding utf8|cp932 --messy --demo]'

/** Phones and e-mails stay unique per person up to 10 million people in all: see scramble.ts. */
export const LIMITS = {
  members: 5_000_000,
  buyers: 4_000_000,
  employees: 50_000,
  warehouse: 500_000,
} as const

const count = (name: keyof typeof LIMITS) =>
  z
    .string()
    .regex(/^\d+$/, `--${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().max(LIMITS[name], `--${name} must be at most ${LIMITS[name]}`))
    .optional()

const schema = z.object({
  out: z.string({ error: '--out DIR is required' }).min(1, '--out DIR is required'),
  members: count('members'),
  buyers: count('buyers'),
  employees: count('employees'),
  warehouse: count('warehouse'),
  seed: z.string().min(1, '--seed must not be empty').default('1'),
  encoding: z.enum(['utf8', 'cp932'], { message: '--encoding must be utf8 or cp932' }).default('utf8'),
  messy: z.boolean().default(false),
  demo: z.boolean().default(false),
})

/** What the command asks of the generator: its options but the progress callback. */
export type GenerateArgs = Omit<GenerateOptions, 'onProgress'>

export type ParsedArgs =
  | { ok: true; args: GenerateArgs }
  | { ok: true; help: true }
  | { ok: false; error: string }

const OPTIONS = {
  out: { type: 'string' },
  members: { type: 'string' },
  buyers: { type: 'string' },
  employees: { type: 'string' },
  warehouse: { type: 'string' },
  seed: { type: 'string' },
  encoding: { type: 'string' },
  messy: { type: 'boolean' },
  demo: { type: 'boolean' },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/** --help alone needs nothing else; without it, the arguments must be whole. */
const argumentsSchema = z.discriminatedUnion('help', [
  z.looseObject({ help: z.literal(true) }),
  schema.extend({ help: z.literal(false) }),
])

/** Counts left out follow the members: a quarter as many buyers, one employee per 2,000, ... */
function withDefaults(values: z.infer<typeof schema>): GenerateArgs {
  const members = values.members ?? 1000
  return {
    outDir: values.out,
    members,
    buyers: values.buyers ?? Math.floor(members / 4),
    employees: values.employees ?? Math.min(LIMITS.employees, Math.max(5, Math.floor(members / 2000))),
    warehouse: values.warehouse ?? Math.max(5, Math.floor(members / 1000)),
    seed: values.seed,
    encoding: values.encoding,
    messy: values.messy,
    demo: values.demo,
  }
}

export function parseGenerateArgs(argv: readonly string[]): ParsedArgs {
  const read = readArguments(argv, { options: OPTIONS, values: argumentsSchema })
  if (!read.ok) return read
  if (read.values.help) return { ok: true, help: true }
  return { ok: true, args: withDefaults(read.values) }
}
