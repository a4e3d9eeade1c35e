import { describe, expect, it } from 'vitest'
import { numberPlaceholders, postgresStatement } from '~db/postgres/placeholders'

describe("PostgreSQL's numbered placeholders", () => {
  it('number every ? in order', () => {
    expect(numberPlaceholders('select * from t where a = ? and b in (?, ?)')).toBe(
      'select * from t where a = $1 and b in ($2, $3)',
    )
  })

  it('leave a ? in quoted text, a quoted name or a comment alone, doubled quotes included', () => {
    expect(numberPlaceholders(`select '?', 'it''s ?', "odd?name", ? -- why?\n, ? /* what? */ , ?`)).toBe(
      `select '?', 'it''s ?', "odd?name", $1 -- why?\n, $2 /* what? */ , $3`,
    )
  })

  it('give each statement one name, the same every time it is asked for', () => {
    const first = postgresStatement('select ? as a')
    expect(postgresStatement('select ? as a')).toBe(first)
    expect(postgresStatement('select ? as b').name).not.toBe(first.name)
    expect(first.text).toBe('select $1 as a')
  })
})
