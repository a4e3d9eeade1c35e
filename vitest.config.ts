import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { configDefaults, defineConfig } from 'vitest/config'
import { canStartPostgres } from './tests/support/throwaway-postgres'

const root = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const alias = [
  { find: /^~db\//, replacement: root('./db/') },
  { find: /^~locales\//, replacement: root('./locales/') },
  { find: /^~\//, replacement: root('./app/') },
]

const shared = {
  resolve: { alias },
  esbuild: { jsx: 'automatic' as const },
}

/**
 * Files that compare durations (known against unknown identities, attack
 * against plain input) or need a core to themselves. They run last, one after
 * another in one process, with nothing else of the suite beside them; every
 * other file runs in parallel before them.
 */
const timed = {
  unit: [
    'tests/unit/email-code-timing.test.ts',
    'tests/unit/normalise-adversarial.test.ts',
    'tests/unit/password-hash.test.ts',
    'tests/unit/password-work.test.ts',
  ],
  http: [
    'tests/http/anti-enumeration.test.ts',
    'tests/http/hostile-input.test.ts',
    'tests/http/hostile-staff-input.test.ts',
    'tests/http/member-journey.test.ts',
    'tests/http/redos.test.ts',
    'tests/http/slow-clients.test.ts',
    'tests/http/staff-sign-in-timing.test.ts',
  ],
}

/** The last group: one file at a time, after all the others. */
const alone = {
  sequence: { groupOrder: 1 },
  poolOptions: { forks: { singleFork: true } },
}

const unit = {
  include: ['tests/unit/**/*.test.{ts,tsx}', 'app/**/*.test.{ts,tsx}', 'db/**/*.test.ts'],
  setupFiles: ['tests/support/unit-setup.ts'],
  environment: 'node',
  // Argon2 and helper processes on a busy 2-core machine: a hang fails the
  // test, a slow second does not (timings are asserted where they matter).
  testTimeout: 30_000,
  hookTimeout: 60_000,
}

const http = {
  globalSetup: ['tests/support/build-once.ts'],
  setupFiles: ['tests/support/fail-on-console-error.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
}

/**
 * The built portal as web nodes on PostgreSQL: several nodes on one database,
 * and HTTP journeys whose portal (see tests/support/portal-server.ts) starts
 * on a PostgreSQL copy of the SQLite file they seed. Chosen for what they ask
 * of the database (codes, limits, sessions, staff, audit, returns); files about
 * the SQLite file itself (its WAL, a full disk, kills mid-write, what lies in
 * it unsealed) stay on SQLite, as do pages that read nothing from it.
 */
const nodesOnPostgres = [
  'tests/postgres/two-nodes.test.ts',
  'tests/postgres/portal-on-postgres.test.ts',
  'tests/postgres/nodes-start-together.test.ts',
  'tests/http/check-email.test.ts',
  'tests/http/check-letter.test.ts',
  'tests/http/check-limits.test.ts',
  'tests/http/demo-member.test.ts',
  'tests/http/email-code-lock.test.ts',
  'tests/http/postcard-member.test.ts',
  'tests/http/returns.test.ts',
  'tests/http/sessions-end.test.ts',
  'tests/http/signout.test.ts',
  'tests/http/staff-audit.test.ts',
  'tests/http/staff-mfa.test.ts',
  'tests/http/staff-sign-in.test.ts',
  'tests/http/account-limits.test.ts',
  'tests/http/personal-pages.test.ts',
  'tests/http/staff-people.test.ts',
  'tests/http/staff-dashboard.test.ts',
  'tests/http/not-affected.test.ts',
  'tests/http/message-check.test.ts',
  'tests/http/staff-cases.test.ts',
  'tests/http/staff-returns.test.ts',
  'tests/http/staff-call-back.test.ts',
  'tests/http/mail-priority.test.ts',
]

/** Timed files (see `timed`) whose portal starts on PostgreSQL likewise: alone, one after another. */
const timedOnPostgres = ['tests/http/anti-enumeration.test.ts', 'tests/http/member-journey.test.ts']

/**
 * The PostgreSQL half: the same data-layer and HTTP behaviour against a real
 * PostgreSQL, a throw-away cluster started for the run. Left out where no
 * cluster can be started (`npm test` says so in one line, and how to add it).
 */
const postgresHalf = canStartPostgres()
  ? [
      {
        ...shared,
        test: {
          name: 'postgres',
          include: ['tests/postgres/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...nodesOnPostgres],
          globalSetup: ['tests/support/postgres-once.ts'],
          setupFiles: ['tests/support/unit-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        ...shared,
        test: {
          ...http,
          name: 'http:postgres',
          include: nodesOnPostgres,
          globalSetup: [...http.globalSetup, 'tests/support/postgres-once.ts'],
          env: { PORTAL_TEST_BACKEND: 'postgres' },
        },
      },
      {
        ...shared,
        test: {
          ...http,
          name: 'http:postgres:timed',
          include: timedOnPostgres,
          globalSetup: [...http.globalSetup, 'tests/support/postgres-once.ts'],
          env: { PORTAL_TEST_BACKEND: 'postgres' },
          ...alone,
          // After the SQLite timed files, not beside them: each comparison has the machine to itself.
          sequence: { groupOrder: 2 },
        },
      },
    ]
  : []

export default defineConfig({
  ...shared,
  test: {
    // Real servers and a real browser: generous limits. Most of a file's time
    // is spent waiting on the processes it starts (servers, commands, Chromium),
    // so one file more than there are cores keeps the cores busy.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: availableParallelism() + 1,
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        ...shared,
        test: { ...unit, name: 'unit', exclude: [...configDefaults.exclude, ...timed.unit] },
      },
      {
        ...shared,
        test: { ...unit, name: 'unit:timed', include: timed.unit, ...alone },
      },
      {
        ...shared,
        test: {
          name: 'cli',
          include: ['tests/cli/**/*.test.ts'],
          setupFiles: ['tests/support/unit-setup.ts'],
          // Commands run as real processes over real files.
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        ...shared,
        test: {
          ...http,
          name: 'http',
          include: ['tests/http/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...timed.http],
        },
      },
      {
        ...shared,
        test: { ...http, name: 'http:timed', include: timed.http, ...alone },
      },
      {
        ...shared,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/support/build-once.ts'],
          setupFiles: ['tests/support/fail-on-console-error.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      ...postgresHalf,
    ],
  },
})
