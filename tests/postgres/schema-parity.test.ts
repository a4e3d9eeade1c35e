import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '~/server/paths'
import { closeDatabase, type SqliteDatabase } from '~db/client'
import { closePostgres, openPostgres, type PostgresDatabase } from '~db/postgres/client'
import { migratePostgres } from '~db/postgres/migrate'
import { portalTableNames } from '~db/sqlite-tables'
import { openMigratedDatabase } from '../support/migrated-database'
import { type ScratchPostgresDatabase, scratchPostgresDatabase } from '../support/postgres-database'

/**
 * The two backends' schemas, each made by its own migrations, describe the
 * same tables: the same columns (name, kind of value, null or not, default
 * or not), primary keys, foreign keys, indexes (columns, uniqueness, partial
 * or not) and triggers. A change to one schema without the other fails here.
 */

type Shape = {
  columns: Record<string, { kind: string; notNull: boolean; hasDefault: boolean }>
  primaryKey: string[]
  foreignKeys: string[]
  indexes: Record<string, { unique: boolean; columns: string[]; partial: boolean }>
}

// What each backend calls the same kind of value.
const SQLITE_KINDS: Record<string, string> = { INTEGER: 'integer', TEXT: 'text', BLOB: 'bytes', REAL: 'real' }
const POSTGRES_KINDS: Record<string, string> = {
  integer: 'integer',
  bigint: 'integer',
  smallint: 'integer',
  text: 'text',
  bytea: 'bytes',
  'double precision': 'real',
}

let directory: string
let sqlite: SqliteDatabase
let scratch: ScratchPostgresDatabase
let postgres: PostgresDatabase

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'schema-parity-'))
  sqlite = openMigratedDatabase(join(directory, 'portal.db'))
  scratch = await scratchPostgresDatabase('schema_parity')
  postgres = openPostgres(scratch.url)
  await migratePostgres(postgres)
})

afterAll(async () => {
  closeDatabase(sqlite)
  rmSync(directory, { recursive: true, force: true })
  await closePostgres(postgres)
  await scratch.drop()
})

function sqliteShapes(db: SqliteDatabase) {
  const client = db.$client
  const tables = portalTableNames(client)
  const shapes: Record<string, Shape> = {}
  for (const table of tables) {
    const columns = client.prepare(`select * from pragma_table_xinfo(?)`).all(table) as {
      name: string
      type: string
      notnull: number
      dflt_value: string | null
      pk: number
    }[]
    const indexes = client.prepare(`select * from pragma_index_list(?)`).all(table) as {
      name: string
      unique: number
      origin: string
      partial: number
    }[]
    const foreignKeys = client.prepare(`select * from pragma_foreign_key_list(?)`).all(table) as {
      table: string
      from: string
      to: string | null
      on_delete: string
    }[]
    shapes[table] = {
      columns: Object.fromEntries(
        columns.map((column) => [
          column.name,
          {
            kind: SQLITE_KINDS[column.type] ?? column.type,
            // SQLite lets a primary key column be null unless told; PostgreSQL never does.
            notNull: column.notnull === 1 || column.pk > 0,
            hasDefault: column.dflt_value !== null,
          },
        ]),
      ),
      primaryKey: columns
        .filter((column) => column.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((column) => column.name),
      foreignKeys: foreignKeys
        .map((key) => `${key.from} → ${key.table}.${key.to ?? 'id'} on delete ${key.on_delete.toLowerCase()}`)
        .sort(),
      indexes: Object.fromEntries(
        indexes
          .filter((index) => index.origin === 'c')
          .map((index) => [
            index.name,
            {
              unique: index.unique === 1,
              columns: (
                client
                  .prepare(`select name from pragma_index_info(?) order by seqno`)
                  .pluck()
                  .all(index.name) as string[]
              ).filter(Boolean),
              partial: index.partial === 1,
            },
          ]),
      ),
    }
  }
  return shapes
}

async function postgresShapes(db: PostgresDatabase) {
  const query = async <Row>(text: string) => (await db.$client.query(text)).rows as Row[]
  const columns = await query<{
    table_name: string
    column_name: string
    data_type: string
    is_nullable: string
    column_default: string | null
    is_identity: string
  }>(
    `select table_name, column_name, data_type, is_nullable, column_default, is_identity
       from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`,
  )
  const primaryKeys = await query<{ table_name: string; columns: string[] }>(
    `select c.conrelid::regclass::text as table_name,
            array(select a.attname::text from unnest(c.conkey) with ordinality k(n, o)
                    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.o) as columns
       from pg_constraint c join pg_namespace s on s.oid = c.connamespace
      where s.nspname = 'public' and c.contype = 'p'`,
  )
  const foreignKeys = await query<{ table_name: string; description: string }>(
    `select c.conrelid::regclass::text as table_name,
            a.attname || ' → ' || c.confrelid::regclass::text || '.' || r.attname || ' on delete ' ||
              case c.confdeltype when 'a' then 'no action' when 'r' then 'restrict' when 'c' then 'cascade'
                                 when 'n' then 'set null' when 'd' then 'set default' end as description
       from pg_constraint c join pg_namespace s on s.oid = c.connamespace
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
       join pg_attribute r on r.attrelid = c.confrelid and r.attnum = c.confkey[1]
      where s.nspname = 'public' and c.contype = 'f'`,
  )
  const indexes = await query<{
    table_name: string
    name: string
    unique: boolean
    partial: boolean
    columns: string[]
  }>(
    `select t.relname as table_name, i.relname as name, x.indisunique as unique, x.indpred is not null as partial,
            array(select a.attname::text from unnest(x.indkey) with ordinality k(n, o)
                    join pg_attribute a on a.attrelid = t.oid and a.attnum = k.n order by k.o) as columns
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
       join pg_namespace s on s.oid = t.relnamespace
      where s.nspname = 'public' and not x.indisprimary`,
  )
  const shapes: Record<string, Shape> = {}
  const shapeOf = (table: string) => {
    shapes[table] ??= { columns: {}, primaryKey: [], foreignKeys: [], indexes: {} }
    return shapes[table]
  }
  for (const column of columns) {
    shapeOf(column.table_name).columns[column.column_name] = {
      kind: POSTGRES_KINDS[column.data_type] ?? column.data_type,
      notNull: column.is_nullable === 'NO',
      // An identity column is SQLite's rowid alias: numbered, not defaulted.
      hasDefault: column.column_default !== null,
    }
  }
  for (const key of primaryKeys) shapeOf(key.table_name).primaryKey = key.columns
  for (const key of foreignKeys) shapeOf(key.table_name).foreignKeys.push(key.description)
  for (const index of indexes) {
    shapeOf(index.table_name).indexes[index.name] = {
      // The store's pool reads booleans as SQLite's 1 and 0.
      unique: Boolean(index.unique),
      columns: index.columns,
      partial: Boolean(index.partial),
    }
  }
  for (const shape of Object.values(shapes)) shape.foreignKeys.sort()
  return shapes
}

function sqliteTriggers(db: SqliteDatabase) {
  return db.$client
    .prepare(`select name from sqlite_master where type = 'trigger' order by name`)
    .pluck()
    .all()
}

async function postgresTriggers(db: PostgresDatabase) {
  const { rows } = await db.$client.query<{ name: string }>(
    `select t.tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid
       join pg_namespace s on s.oid = c.relnamespace
      where s.nspname = 'public' and not t.tgisinternal order by t.tgname`,
  )
  return rows.map((row) => row.name)
}

describe('the PostgreSQL schema', () => {
  it('has the tables, columns, keys and indexes of the SQLite schema', async () => {
    const fromSqlite = sqliteShapes(sqlite)
    const fromPostgres = await postgresShapes(postgres)
    expect(Object.keys(fromPostgres).sort()).toEqual(Object.keys(fromSqlite).sort())
    for (const [table, shape] of Object.entries(fromSqlite)) {
      expect(fromPostgres[table], table).toEqual(shape)
    }
  })

  it('has the triggers of the SQLite schema', async () => {
    expect(await postgresTriggers(postgres)).toEqual(sqliteTriggers(sqlite))
  })

  it('is migrated once, without a clash, when several nodes start together on an empty database', async () => {
    const empty = await scratchPostgresDatabase('migrated_together')
    const nodes = [1, 2, 3, 4].map(() => openPostgres(empty.url))
    try {
      await Promise.all(nodes.map((db) => migratePostgres(db)))
      const { rows } = await (nodes[0] as PostgresDatabase).$client.query<{ count: number }>(
        'select count(*)::int as count from drizzle.__drizzle_migrations',
      )
      expect(rows[0]?.count).toBe(postgresMigrationCount())
    } finally {
      await Promise.all(nodes.map(closePostgres))
      await empty.drop()
    }
  })
})

function postgresMigrationCount() {
  const journal = JSON.parse(
    readFileSync(join(projectRoot, 'db/postgres/migrations/meta/_journal.json'), 'utf8'),
  )
  return (journal.entries as unknown[]).length
}
