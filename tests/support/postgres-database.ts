import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'

export type ScratchPostgresDatabase = {
  url: string
  drop: () => Promise<void>
}

/**
 * An empty database of its own in the run's throw-away cluster (see
 * postgres-once.ts), named from `prefix`, for one test file or test.
 */
export async function scratchPostgresDatabase(prefix: string): Promise<ScratchPostgresDatabase> {
  const serverUrl = inject('postgresUrl')
  const name = `${prefix.replace(/[^a-z0-9]/g, '_')}_${randomBytes(6).toString('hex')}`
  await asSuperuser(serverUrl, `create database ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: () => asSuperuser(serverUrl, `drop database if exists ${name} with (force)`),
  }
}

async function asSuperuser(url: string, statement: string) {
  const client = new pg.Client(url)
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
