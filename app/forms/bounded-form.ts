import { z } from 'zod'

/**
 * Every form the portal reads goes through here, so that no pattern,
 * normaliser or refinement ever sees a value longer than its field allows.
 * The body limit lets a single field reach 64 KiB, and a pattern that is
 * harmless on 254 characters can take seconds on that (issue 12). Zod's checks
 * do not stop at the first failure, so `.max()` alone would not keep a later
 * `.refine()` from running: the bound is checked first and aborts, and the
 * form reader refuses an over-long field before zod runs at all.
 *
 * Shared by the server and the browser: zod only. Messages are i18n keys the
 * page translates.
 */

/** A field as posted: its longest raw value, what to say when it is longer, and its schema. */
export type FormField<S extends z.ZodType = z.ZodType> = {
  readonly max: number
  readonly tooLong: string
  readonly schema: S
}

/**
 * A text field bounded to `max` characters (UTF-16 units, as posted) before
 * anything else: `then` adds trimming, patterns and normalisers, which only
 * ever run on a value within the bound.
 */
export function textField<S extends z.ZodType = z.ZodString>(
  { max, required, tooLong }: { max: number; required: string; tooLong: string },
  then?: (text: z.ZodString) => S,
): FormField<S> {
  const bounded = z.string({ error: required }).max(max, { error: tooLong, abort: true })
  return { max, tooLong, schema: (then ? then(bounded) : bounded) as S }
}

/**
 * One of a few fixed values (a button's `intent`), or `fallback` when the
 * field is absent. A set lookup, no pattern: the reader's bound suffices.
 */
export function choiceField<const V extends readonly [string, ...string[]]>(
  values: V,
  { invalid, fallback }: { invalid: string; fallback?: V[number] },
) {
  const choice = z.enum(values, { error: invalid })
  return {
    max: Math.max(...values.map((value) => value.length)),
    tooLong: invalid,
    schema: fallback === undefined ? choice : choice.default(fallback as never),
  }
}

type Fields = Record<string, FormField>
type ObjectOf<F extends Fields> = z.ZodObject<{ [K in keyof F]: F[K]['schema'] }>

/** A form: its bounded fields, and the schema that reads them together. */
export type BoundedForm<F extends Fields = Fields, S extends z.ZodType = z.ZodType> = {
  readonly fields: F
  readonly schema: S
}

/**
 * A form of bounded fields; `finish` adds checks across fields (a
 * `superRefine`), which run only once every field is within its bound.
 */
export function boundedForm<F extends Fields>(fields: F): BoundedForm<F, ObjectOf<F>>
export function boundedForm<F extends Fields, S extends z.ZodType>(
  fields: F,
  finish: (object: ObjectOf<F>) => S,
): BoundedForm<F, S>
export function boundedForm<F extends Fields>(fields: F, finish?: (object: ObjectOf<F>) => z.ZodType) {
  const shape = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.schema]))
  const object = z.object(shape) as ObjectOf<F>
  return { fields, schema: finish ? finish(object) : object }
}

/**
 * Reads a posted form: each field's first value, refused with the field's
 * `tooLong` message (and nothing else run) when longer than its bound; then
 * the form's schema. Fields the form does not name are never read.
 */
export function readForm<S extends z.ZodType>(
  form: FormData,
  { fields, schema }: BoundedForm<Fields, S>,
): z.ZodSafeParseResult<z.output<S>> {
  const values: Record<string, FormDataEntryValue | undefined> = {}
  const issues: z.core.$ZodIssue[] = []
  for (const [name, field] of Object.entries(fields)) {
    const value = form.get(name) ?? undefined
    if (typeof value === 'string' && value.length > field.max) {
      issues.push({
        code: 'too_big',
        origin: 'string',
        maximum: field.max,
        inclusive: true,
        path: [name],
        message: field.tooLong,
      })
    }
    values[name] = value
  }
  if (issues.length > 0) return { success: false, error: new z.ZodError(issues) as z.ZodError<z.output<S>> }
  return schema.safeParse(values) as z.ZodSafeParseResult<z.output<S>>
}

/** Each field's first message from a failed read, by field name: what a form shows beside each box. */
export function firstErrors<K extends string>(issues: readonly { path: PropertyKey[]; message: string }[]) {
  const errors: Partial<Record<K, string>> = {}
  for (const issue of issues) {
    const field = String(issue.path[0]) as K
    errors[field] ??= issue.message
  }
  return errors
}
