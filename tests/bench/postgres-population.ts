import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import pg from 'pg'
import { closePostgres, openPostgres } from '~db/postgres/client'
import { copySqliteToPostgres } from '~db/postgres/copy-from-sqlite'
import { postgresServerName, withDatabaseName } from './bench-database'

/**
 * A benchmark's population on PostgreSQL: a database of its own, made on the
 * server `serverUrl` names (its role needs CREATEDB), filled from the SQLite
 * population as `npm run db:copy` fills one, and dropped by `drop`.
 */
export async function postgresPopulation(serverUrl: string, sqlitePath: string, benchmark: string) {
  const name = `portal_bench_${benchmark}_${randomBytes(4).toString('hex')}`
  await onServer(serverUrl, `create database ${name}`)
  const url = withDatabaseName(serverUrl, name)
  const drop = () => onServer(serverUrl, `drop database if exists ${name} with (force)`)
  try {
    const started = performance.now()
    const source = new Database(sqlitePath, { readonly: true, fileMustExist: true })
    const target = openPostgres(url, { connections: 2, pipeline: false })
    try {
      await copySqliteToPostgres({ source, target })
      // The planner's statistics, as autovacuum gathers them within a minute of a real copy:
      // measured before it runs, the first plans would be of tables it believes empty.
      await target.$client.query('vacuum analyze')
    } finally {
      source.close()
      await closePostgres(target)
    }
    const seconds = (performance.now() - started) / 1000
    console.log(
      `PostgreSQL: population copied into ${postgresServerName(url)} in ${seconds.toFixed(0)} s (dropped at the end)`,
    )
    return { url, drop }
  } catch (error) {
    await drop()
    throw error
  }
}

async function onServer(url: string, statement: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
