/**
 * The portal's SQL is written with SQLite's `?` placeholders; PostgreSQL
 * numbers them (`$1`, `$2`, …). Each statement is rewritten once and given a
 * name, under which every pooled connection prepares it the first time it
 * runs it: planned once per connection, as better-sqlite3's statements are.
 */

const statements = new Map<string, { name: string; text: string }>()

export function postgresStatement(source: string) {
  let statement = statements.get(source)
  if (!statement) {
    statement = { name: `portal_${statements.size + 1}`, text: numberPlaceholders(inPostgresTerms(source)) }
    statements.set(source, statement)
  }
  return statement
}

/**
 * drizzle builds every query in SQLite's dialect (db/database.ts), and writes
 * a column's default into an insert that leaves the column out: the one
 * default of SQLite's own words, the time now in milliseconds (schema.ts),
 * becomes PostgreSQL's (postgres/schema.ts).
 */
const SQLITE_NOW = "(cast(unixepoch('subsec') * 1000 as integer))"
const POSTGRES_NOW = '(floor(extract(epoch from statement_timestamp()) * 1000)::bigint)'

export function inPostgresTerms(source: string) {
  return source.includes(SQLITE_NOW) ? source.replaceAll(SQLITE_NOW, POSTGRES_NOW) : source
}

/**
 * `?` becomes `$n` outside quoted text ('…'), quoted names ("…") and
 * comments, where a question mark is just a character.
 */
export function numberPlaceholders(source: string) {
  let text = ''
  let count = 0
  let index = 0
  while (index < source.length) {
    const character = source[index] as string
    const closing =
      character === "'" || character === '"' ? character : source.startsWith('--', index) ? '\n' : null
    if (closing !== null) {
      const end = source.indexOf(closing, index + 1)
      const stop = end === -1 ? source.length : end + 1
      text += source.slice(index, stop)
      index = stop
    } else if (source.startsWith('/*', index)) {
      const end = source.indexOf('*/', index + 2)
      const stop = end === -1 ? source.length : end + 2
      text += source.slice(index, stop)
      index = stop
    } else {
      text += character === '?' ? `$${++count}` : character
      index++
    }
  }
  return text
}
