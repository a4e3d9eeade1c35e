import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { messageAddressContext } from '~db/notifications'
import { createPortalCrypto } from '~db/portal-crypto'
import { unseal } from '~db/seal'
import { MEMBER_COLUMNS, member, writeCsv } from './export-files'
import { portalCommand } from './portal-command'
import { portalRows } from './portal-rows'
import { testSecrets } from './secrets'

export type Secrets = ReturnType<typeof testSecrets>

export type NotifiedPopulation = {
  /** The folder the commands run in (their `.env` would be here; there is none). */
  directory: string
  /** The database filled: a SQLite file's path, or a PostgreSQL URL when one was given as `databaseUrl`. */
  databasePath: string
  secrets: Secrets
  /** The e-mail address of every outbox row, by outbox ID. */
  recipients: Map<number, string>
  /** The environment every portal command needs for this database, SMTP aside. */
  env: Record<string, string>
  /** Removes the folder (and the database, when it was made here). */
  remove: () => void
}

export type CommandResult = {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** The made-up address of member `i`: reserved domain, nobody's mailbox. */
export const memberAddress = (i: number) => `person${i}@example.jp`

const POSTGRES_URL = /^postgres(ql)?:\/\//

/**
 * A fresh database (or the given one) holding `count` members with an e-mail
 * address each, imported and notified by the real commands, so the outbox
 * holds `count` e-mails. `databaseUrl` names a running portal's database on
 * either backend (PortalServer.databaseUrl), the way its DATABASE_URL does.
 */
export async function notifiedPopulation({
  count,
  databasePath,
  databaseUrl,
  secrets = testSecrets(),
}: {
  count: number
  databasePath?: string
  databaseUrl?: string
  secrets?: Secrets
}): Promise<NotifiedPopulation> {
  const directory = mkdtempSync(join(tmpdir(), 'portal-notified-'))
  const database = databaseUrl ?? databasePath ?? join(directory, 'portal.db')
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? directory,
    NODE_ENV: 'test',
    DATABASE_URL: database,
    PUBLIC_URL: 'https://portal.example',
    MAIL_FROM: 'Sekaimon <no-reply@portal.example>',
    ...secrets,
  }
  const rows = Array.from({ length: count }, (_, i) =>
    member({ member_id: `M${String(i).padStart(6, '0')}`, email: memberAddress(i) }),
  )
  writeCsv(join(directory, 'members.csv'), [MEMBER_COLUMNS, ...rows])

  const imported = await runPortalCommand('app/cli/import.ts', {
    cwd: directory,
    env,
    args: ['--json', directory],
  })
  if (imported.status !== 0) throw new Error(`import exited with ${imported.status}: ${imported.stderr}`)
  const notified = await runPortalCommand('app/cli/notify.ts', { cwd: directory, env, args: ['--json'] })
  if (notified.status !== 0) throw new Error(`notify exited with ${notified.status}: ${notified.stderr}`)
  const summary = JSON.parse(notified.stdout) as { email: number }
  if (summary.email !== count) throw new Error(`notify wrote ${summary.email} e-mails, not ${count}`)

  return {
    directory,
    databasePath: database,
    secrets,
    recipients: await readRecipients(database, secrets),
    env,
    remove: () => rmSync(directory, { recursive: true, force: true }),
  }
}

/** Starts one of the portal's commands as its own process. */
export function startPortalCommand(
  script: string,
  { cwd, env, args = [] }: { cwd: string; env: Record<string, string>; args?: string[] },
): { child: ChildProcess; result: Promise<CommandResult> } {
  const command = portalCommand(script)
  const childEnv: NodeJS.ProcessEnv = { NODE_ENV: 'test', ...command.env, ...env }
  const child = spawn(command.command, [...command.args, ...args], {
    cwd,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const result = new Promise<CommandResult>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (status, signal) => resolve({ status, signal, stdout, stderr }))
  })
  return { child, result }
}

/** Runs one of the portal's commands to its end (without blocking this process's own servers). */
export function runPortalCommand(
  script: string,
  options: { cwd: string; env: Record<string, string>; args?: string[] },
): Promise<CommandResult> {
  return startPortalCommand(script, options).result
}

type RecipientRow = { id: number; messageId: number; sealed: Buffer }

const RECIPIENTS_SQL = `
  select o.id, m.id as "messageId", m.address_sealed as sealed
  from outbox_messages o join messages m on m.id = o.message_id`

/** Each outbox row's address, read from its message (sealed too, but kept after sending). */
async function readRecipients(database: string, secrets: Secrets) {
  const { keyring } = createPortalCrypto({
    dataKey: secrets.PORTAL_DATA_KEY,
    indexKey: secrets.PORTAL_INDEX_KEY,
  })
  const rows = POSTGRES_URL.test(database)
    ? await portalRows<RecipientRow>(database, RECIPIENTS_SQL)
    : readSqliteRows(database)
  return new Map(
    rows.map(({ id, messageId, sealed }) => [
      id,
      unseal({ keyring, context: messageAddressContext(messageId), sealed }).toString('utf8'),
    ]),
  )
}

/** Read-only, as ever on SQLite: the file may be a running portal's, and nothing here should write it. */
function readSqliteRows(databasePath: string) {
  const db = new Database(databasePath, { readonly: true })
  try {
    return db.prepare(RECIPIENTS_SQL).all() as RecipientRow[]
  } finally {
    db.close()
  }
}
