import { type ParseArgsConfig, parseArgs } from 'node:util'
import { z } from 'zod'

/**
 * Every command's arguments, read one way: each bounded in length first, then
 * node:util's parseArgs (unknown options and stray positionals refused), then
 * zod for what the values must be.
 */

/** PATH_MAX on Linux: no flag value or file name the commands take is longer. */
export const MAX_ARGUMENT_LENGTH = 4096

type Spec<V extends z.ZodType, P extends z.ZodType> = {
  options: NonNullable<ParseArgsConfig['options']>
  values: V
  /** Without it, no positional argument is taken. */
  positionals?: P
}

export type ReadArguments<V extends z.ZodType, P extends z.ZodType> =
  | { ok: true; values: z.output<V>; positionals: z.output<P> }
  /** One line, naming the option but never quoting what was typed. */
  | { ok: false; error: string }

export function readArguments<V extends z.ZodType, P extends z.ZodType = z.ZodTuple<[]>>(
  argv: readonly string[],
  { options, values, positionals }: Spec<V, P>,
): ReadArguments<V, P> {
  if (argv.some((argument) => argument.length > MAX_ARGUMENT_LENGTH))
    return { ok: false, error: `an argument is longer than ${MAX_ARGUMENT_LENGTH} characters` }
  let parsed: { values: unknown; positionals: string[] }
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: positionals !== undefined,
    })
  } catch (error) {
    return { ok: false, error: (error as Error).message.split('\n')[0] as string }
  }
  const checkedValues = values.safeParse(parsed.values)
  if (!checkedValues.success) return { ok: false, error: firstIssue(checkedValues.error) }
  const checkedPositionals = (positionals ?? z.tuple([])).safeParse(parsed.positionals)
  if (!checkedPositionals.success) return { ok: false, error: firstIssue(checkedPositionals.error) }
  return { ok: true, values: checkedValues.data, positionals: checkedPositionals.data as z.output<P> }
}

/** For a command's top level: its arguments, or the usage line on stderr and exit code 2. */
export function commandArguments<V extends z.ZodType, P extends z.ZodType = z.ZodTuple<[]>>(
  usage: string,
  spec: Spec<V, P>,
) {
  const read = readArguments(process.argv.slice(2), spec)
  if (read.ok) return read
  console.error(usage)
  process.exit(2)
}

function firstIssue(error: z.ZodError) {
  return error.issues[0]?.message ?? 'invalid arguments'
}
