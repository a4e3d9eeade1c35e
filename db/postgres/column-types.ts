import { customType } from 'drizzle-orm/pg-core'

/**
 * The column types that let the PostgreSQL schema (schema.ts here) store
 * exactly what SQLite stores, value for value: raw SQL reads and compares the
 * same numbers and text on both backends, and a copy moves values as they are.
 */

/**
 * A moment as milliseconds since the epoch in a `bigint`, read and written as
 * a `Date` the way SQLite's `timestamp_ms` mode does. Not `timestamptz`: raw
 * SQL compares these columns with numbers, and the Japan-day arithmetic of the
 * progress triggers divides them.
 */
export const timestampMs = customType<{ data: Date; driverData: string | number }>({
  dataType: () => 'bigint',
  // node-postgres returns int8 as a string, so that no value past 2^53 is rounded silently.
  fromDriver: (value) => new Date(Number(value)),
  toDriver: (value) => value.getTime(),
})

/** Bytes as a Node `Buffer`, like SQLite's `blob` in buffer mode. */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  // Drivers other than node-postgres may hand back a bare Uint8Array.
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
  toDriver: (value) => value,
})

/**
 * JSON kept as the text `JSON.stringify` wrote, like SQLite's `text` in json
 * mode. Not `jsonb`, which would reorder keys and change the stored text.
 */
export const jsonText = customType<{ data: unknown; driverData: string }>({
  dataType: () => 'text',
  fromDriver: (value) => JSON.parse(value),
  toDriver: (value) => JSON.stringify(value),
})

/**
 * A flag stored as 0 or 1 in an `integer`, like SQLite's `integer` in boolean
 * mode: raw SQL reads and sets these columns as numbers on both backends.
 * Its default must be written as SQL (`sql\`1\``), since drizzle-kit would
 * write a boolean default as `true`, which an integer column refuses.
 */
export const integerBoolean = customType<{ data: boolean; driverData: number }>({
  dataType: () => 'integer',
  fromDriver: (value) => Number(value) === 1,
  toDriver: (value) => (value ? 1 : 0),
})
