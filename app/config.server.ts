import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { z } from 'zod'

/**
 * The one place the portal reads its environment. Every command parses it at
 * start, so a misconfigured machine fails before it serves or writes anything.
 */

const KEY_BYTES = 32
// A rotation retires one key at a time; a handful still being re-sealed away from is plenty.
const MAX_PREVIOUS_KEYS = 8

const base64Key = (name: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is not set` : `${name} must be text`) })
    .max(64, { message: `${name} must be ${KEY_BYTES} random bytes, base64-encoded`, abort: true })
    .refine((value) => decodedLength(value) === KEY_BYTES, {
      message: `${name} must be ${KEY_BYTES} random bytes, base64-encoded`,
    })
    .refine((value) => !isLowEntropy(Buffer.from(value, 'base64')), {
      message: `${name} is too weak: generate ${KEY_BYTES} random bytes`,
    })

const SESSION_SECRET_MAX = 256
// A rotation retires one secret while the next signs; a few at once is plenty.
const MAX_SESSION_SECRETS = 4

const sessionSecret = z
  .string()
  .min(32, 'SESSION_SECRET must be at least 32 characters')
  .max(SESSION_SECRET_MAX, `each SESSION_SECRET is at most ${SESSION_SECRET_MAX} characters`)
  .refine((value) => !isLowEntropy(Buffer.from(value)), {
    message: 'SESSION_SECRET is too weak: generate it randomly',
  })

/**
 * A comma-separated list of `item`s (spaces around each and empty ones
 * ignored), at most `max`, its whole length bounded before it is split.
 */
function commaList<T extends z.ZodType<unknown, string>>(
  name: string,
  item: T,
  { max, itemLength, noun }: { max: number; itemLength: number; noun: string },
) {
  const tooMany = `${name} holds at most ${max} ${noun}`
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is not set` : `${name} must be text`) })
    .max(max * (itemLength + 1), { message: tooMany, abort: true })
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(item).max(max, tooMany))
}

// Comma-separated, newest first: the first signs sessions and form tokens, every one verifies them,
// so a secret is retired without signing anyone out (its sessions end as they would have).
const sessionSecrets = commaList('SESSION_SECRET', sessionSecret, {
  max: MAX_SESSION_SECRETS,
  itemLength: SESSION_SECRET_MAX,
  noun: 'secrets',
}).refine((secrets) => secrets.length > 0, 'SESSION_SECRET is not set')

const schema = z
  .object({
    NODE_ENV: z.enum(['production', 'development', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    // The address to listen on. Unset: every interface in production, loopback (127.0.0.1) elsewhere,
    // so a portal started without NODE_ENV=production by mistake is not reachable from the network.
    HOST: z
      .string()
      .trim()
      .min(1)
      .max(253)
      .regex(/^[A-Za-z0-9.:-]+$/, 'HOST must be an IP address or a host name')
      .optional(),
    // A SQLite file (a path, or a file: URL), or a PostgreSQL server (postgres:// or postgresql://),
    // which several web nodes can share.
    DATABASE_URL: z
      .string()
      .min(1)
      .max(4096, { message: 'DATABASE_URL is longer than any path or address', abort: true })
      .default('data/portal.db')
      .transform((value) => value.replace(/^file:/, '')),
    // Connections each process keeps to a PostgreSQL server (a SQLite file has one).
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    // This machine's own files: printer files of the notify command, photos being received, audit
    // checkpoints. Unset: the SQLite file's folder, or data/ beside the portal with PostgreSQL.
    DATA_DIRECTORY: z.string().min(1).max(4096).optional(),
    PUBLIC_URL: z.string().url().optional(),
    // Outside production an empty database gets generated demo people; tests may turn that off.
    PORTAL_DEMO_DATA: z.enum(['on', 'off']).default('on'),
    SESSION_SECRET: sessionSecrets,
    PORTAL_DATA_KEY: base64Key('PORTAL_DATA_KEY'),
    // Data keys retired from sealing but still opening what they sealed, comma-separated, until every
    // value is re-sealed under PORTAL_DATA_KEY (`npm run keys:status` says how many are left).
    PORTAL_PREVIOUS_DATA_KEYS: commaList(
      'PORTAL_PREVIOUS_DATA_KEYS',
      base64Key('each of PORTAL_PREVIOUS_DATA_KEYS'),
      {
        max: MAX_PREVIOUS_KEYS,
        itemLength: 64,
        noun: 'keys',
      },
    ).prefault(''),
    PORTAL_INDEX_KEY: base64Key('PORTAL_INDEX_KEY'),
    // The index key a rotation moves away from: values are looked up under both until
    // `npm run keys:rotate` has recomputed every stored digest (README, "Index keys").
    PORTAL_PREVIOUS_INDEX_KEY: z.preprocess(
      (value) => (value === '' ? undefined : value),
      base64Key('PORTAL_PREVIOUS_INDEX_KEY').optional(),
    ),
    // The Ed25519 private key that signs audit checkpoints: its 32-byte seed, base64.
    AUDIT_SIGNING_KEY: base64Key('AUDIT_SIGNING_KEY'),
    // Where signed checkpoints are appended (JSON lines); unset, beside the database file.
    AUDIT_CHECKPOINT_FILE: z.string().min(1).max(4096).optional(),
    // Mail: the sender of every e-mail; where it goes (unset outside production: it stays in the outbox).
    MAIL_FROM: z.string().min(3).optional(),
    SMTP_URL: z
      .string()
      .url()
      .refine((value) => /^smtps?:\/\//.test(value), 'SMTP_URL must start with smtp:// or smtps://')
      .optional(),
    SMTP_RATE: z.coerce.number().positive().max(10_000).default(20),
    // First retry after a temporary failure; each later one waits twice as long, at most an hour.
    SMTP_RETRY_MS: z.coerce.number().int().min(10).default(60_000),
    // How many reverse proxies in front of the portal may be believed about X-Forwarded-For.
    // 0 reads the client IP from the socket: a header the client wrote must never pick its IP.
    TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
    // Per client IP and 15 minutes. Generous: Japanese mobile carriers put many customers behind one address.
    IP_FAILURE_LIMIT: z.coerce.number().int().min(1).default(100),
    IP_CHECK_LIMIT: z.coerce.number().int().min(1).default(300),
    // Member-page posts that mail or cost CPU, mostly the live strength meter's (a few dozen a member).
    IP_ACCOUNT_LIMIT: z.coerce.number().int().min(1).default(600),
    // Staff sign-in posts (password and second-factor steps) per client IP and 15 minutes: an office
    // of a few dozen people behind one address signs in a few times a day each.
    STAFF_SIGN_IN_IP_LIMIT: z.coerce.number().int().min(1).default(60),
    // Insider safeguards: how many different cases one staff member may open, and how many values
    // they may reveal, in any hour. Past either, further opens or reveals are refused and supervisors
    // see an alert: a colleague copying the data out meets the wall long before it is worth it.
    CASE_OPENS_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(60),
    CASE_REVEALS_PER_HOUR: z.coerce.number().int().min(1).max(1_000).default(10),
    // Members' new passwords (NIST SP 800-63B-4: at least 15 where a password is the only factor).
    PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(64).default(15),
    // The Pwned Passwords range API (https://api.pwnedpasswords.com); unset, only the offline checks run.
    PWNED_PASSWORDS_URL: z.string().url().optional(),
    // What the shop presents to ask which members are ready (Authorization: Bearer).
    SHOP_API_TOKEN: z.string().min(32, 'SHOP_API_TOKEN must be at least 32 characters').optional(),
    // The day the shop reopens, as members are told.
    RESUMPTION_DATE: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'RESUMPTION_DATE must be YYYY-MM-DD')
      .default('2026-04-23'),
    // An e-mail check for an address not in the data mails that address a short "not affected" answer
    // (within the same per-address and per-IP limits as codes); off, such an address gets no mail.
    NOTIFY_UNKNOWN_ADDRESSES: z.enum(['on', 'off']).default('on'),
    // The last day (Japan time) a letter code opens a person's page; unset, 90 days after RESUMPTION_DATE.
    LETTER_CODE_VALID_UNTIL: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'LETTER_CODE_VALID_UNTIL must be YYYY-MM-DD')
      .refine(isCalendarDate, 'LETTER_CODE_VALID_UNTIL must be a day of the calendar')
      .optional(),
    // Web server processes; unset, one per core in production and one elsewhere.
    WEB_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
    // Load shedding, per web process: past this many requests waiting or in progress, one more is
    // answered 503 with Retry-After; so is one that waited longer than the wait for its turn.
    REQUEST_QUEUE_DEPTH: z.coerce.number().int().min(1).max(100_000).default(256),
    REQUEST_QUEUE_WAIT_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
    // Open connections one web process keeps; keep it below `ulimit -n` with room for files.
    MAX_CONNECTIONS: z.coerce.number().int().min(16).max(1_000_000).default(4_096),
    // How long a client may take to send its headers (a slowloris drips them to hold a socket).
    HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
    // On SIGTERM, how long requests already started may take to finish before they are cut.
    SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'PUBLIC_URL is not set (the address printed in notices)',
      })
    }
    if (env.NODE_ENV === 'production' && !env.MAIL_FROM) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_FROM'],
        message: 'MAIL_FROM is not set (the sender of every e-mail)',
      })
    }
    if (env.NODE_ENV === 'production' && !env.SHOP_API_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHOP_API_TOKEN'],
        message: 'SHOP_API_TOKEN is not set (the shop asks readiness with it)',
      })
    }
    if (env.NODE_ENV === 'production' && !env.SMTP_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_URL'],
        message: 'SMTP_URL is not set (where e-mail is sent)',
      })
    }
  })
  .transform(({ SESSION_SECRET, ...env }) => ({
    ...env,
    /** The first signs, all verify. */
    SESSION_SECRETS: SESSION_SECRET as [string, ...string[]],
    PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    MAIL_FROM: env.MAIL_FROM ?? 'Sekaimon <no-reply@localhost>',
    isProduction: env.NODE_ENV === 'production',
    ...databaseSettings(env),
    WEB_WORKERS: env.WEB_WORKERS ?? (env.NODE_ENV === 'production' ? availableParallelism() : 1),
    LETTER_CODE_VALID_UNTIL:
      env.LETTER_CODE_VALID_UNTIL ?? addDays(env.RESUMPTION_DATE, LETTER_CODE_DAYS_AFTER_RESUMPTION),
  }))

/**
 * Which backend DATABASE_URL names, and the folder for this machine's own
 * files: beside a SQLite file (as it always was), or `data/` with a server.
 * The checkpoint file keeps its old name beside a SQLite file.
 */
function databaseSettings(env: {
  DATABASE_URL: string
  DATA_DIRECTORY?: string | undefined
  AUDIT_CHECKPOINT_FILE?: string | undefined
}) {
  const backend = POSTGRES_URL.test(env.DATABASE_URL) ? ('postgres' as const) : ('sqlite' as const)
  const DATA_DIRECTORY = env.DATA_DIRECTORY ?? (backend === 'sqlite' ? dirname(env.DATABASE_URL) : 'data')
  const AUDIT_CHECKPOINT_FILE =
    env.AUDIT_CHECKPOINT_FILE ??
    (backend === 'sqlite'
      ? `${env.DATABASE_URL}.audit-checkpoints.jsonl`
      : join(DATA_DIRECTORY, 'audit-checkpoints.jsonl'))
  return { DATABASE_BACKEND: backend, DATA_DIRECTORY, AUDIT_CHECKPOINT_FILE }
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i

// Long enough for someone who only has the postcard to come back after the shop reopens.
const LETTER_CODE_DAYS_AFTER_RESUMPTION = 90

/** `YYYY-MM-DD` plus whole days, as a calendar date (no time zone enters). */
function addDays(isoDate: string, days: number) {
  const date = new Date(`${isoDate}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

function isCalendarDate(isoDate: string) {
  const date = new Date(`${isoDate}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === isoDate
}

export type Config = z.infer<typeof schema>
export type Environment = Record<string, string | undefined>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parses an environment; the error names the first bad variable in one line. */
export function parseConfig(env: Environment): Config {
  const result = schema.safeParse(env)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const variable = String(issue?.path[0] ?? 'environment')
  const message = issue?.message ?? 'invalid'
  throw new ConfigError(message.includes(variable) ? message : `${variable}: ${message}`)
}

let cached: Config | undefined

export function getConfig(): Config {
  cached ??= parseConfig(process.env)
  return cached
}

function decodedLength(value: string) {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return -1
  return Buffer.from(value, 'base64').length
}

// A key of one repeated byte or a short repeated pattern is a placeholder, not a secret.
function isLowEntropy(bytes: Buffer) {
  return new Set(bytes).size < Math.min(8, bytes.length)
}
