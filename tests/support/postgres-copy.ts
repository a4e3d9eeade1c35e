import Database from 'better-sqlite3'
import pg from 'pg'
import { closePostgres, openPostgres } from '~db/postgres/client'
import { copySqliteToPostgres } from '~db/postgres/copy-from-sqlite'
import { type ScratchPostgresDatabase, scratchPostgresDatabase } from './postgres-database'

/**
 * A scratch PostgreSQL database (see postgres-database.ts) holding what a
 * SQLite file holds, moved by the operator's own copy (`npm run db:copy`):
 * tests seed people into SQLite with the fixtures they already have, then
 * start the portal on the copy. The file must not be in use.
 */
export async function postgresCopyOf(sqlitePath: string, prefix: string): Promise<ScratchPostgresDatabase> {
  const database = await scratchPostgresDatabase(prefix)
  const source = new Database(sqlitePath, { readonly: true, fileMustExist: true })
  const target = openPostgres(database.url, { connections: 1, pipeline: false })
  try {
    try {
      await copySqliteToPostgres({ source, target })
    } finally {
      source.close()
      await closePostgres(target)
    }
  } catch (error) {
    await database.drop()
    throw error
  }
  return database
}

/** Runs one query against a PostgreSQL database on a connection of its own; answers its rows. */
export async function queryPostgres<Row extends Record<string, unknown>>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client(url)
  await client.connect()
  try {
    return (await client.query<Row>(text, values)).rows
  } finally {
    await client.end()
  }
}
