import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

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

export default defineConfig({
  ...shared,
  test: {
    // Real servers and a real browser: generous limits, one file per core.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.{ts,tsx}', 'app/**/*.test.{ts,tsx}', 'db/**/*.test.ts'],
          setupFiles: ['tests/support/unit-setup.ts'],
          environment: 'node',
        },
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
          name: 'http',
          include: ['tests/http/**/*.test.ts'],
          globalSetup: ['tests/support/build-once.ts'],
          setupFiles: ['tests/support/fail-on-console-error.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
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
    ],
  },
})
