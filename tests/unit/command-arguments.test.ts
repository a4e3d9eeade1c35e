import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { MAX_ARGUMENT_LENGTH, readArguments } from '~/cli/arguments'

const spec = {
  options: { out: { type: 'string' }, json: { type: 'boolean', default: false } } as const,
  values: z.object({ out: z.string().regex(/^[a-z]+$/, '--out must be letters'), json: z.boolean() }),
}

describe("a command's arguments", () => {
  it('reads options through zod', () => {
    expect(readArguments(['--out', 'abc', '--json'], spec)).toEqual({
      ok: true,
      values: { out: 'abc', json: true },
      positionals: [],
    })
  })

  it('refuses an over-long argument before anything reads it, without quoting it', () => {
    const long = 'a'.repeat(MAX_ARGUMENT_LENGTH + 1)
    const read = readArguments(['--out', long], spec)
    expect(read).toEqual({ ok: false, error: `an argument is longer than ${MAX_ARGUMENT_LENGTH} characters` })
    expect(readArguments(['--out', 'a'.repeat(MAX_ARGUMENT_LENGTH)], spec).ok).toBe(true)
  })

  it('refuses unknown options and, unless asked for, positionals, in one line', () => {
    for (const argv of [
      ['--out', 'abc', '--colour'],
      ['--out', 'abc', 'stray'],
    ]) {
      const read = readArguments(argv, spec)
      expect(read.ok).toBe(false)
      if (!read.ok) expect(read.error).toMatch(/^[^\n]+$/)
    }
  })

  it("gives zod's first message for a value that does not fit", () => {
    expect(readArguments(['--out', 'ABC'], spec)).toEqual({ ok: false, error: '--out must be letters' })
  })

  it('checks positionals with their own schema', () => {
    const withFiles = { ...spec, positionals: z.array(z.string()).min(1, 'no files') }
    expect(readArguments(['--out', 'abc'], withFiles)).toEqual({ ok: false, error: 'no files' })
    expect(readArguments(['--out', 'abc', 'x.csv'], withFiles)).toMatchObject({
      ok: true,
      positionals: ['x.csv'],
    })
  })
})
