import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { projectRoot } from '~/server/paths'
import { isBuildStale } from './build-freshness'

const require = createRequire(import.meta.url)

/** Runs the production build when the sources changed since the last one. */
export function ensureProductionBuild() {
  if (!isBuildStale()) return
  console.log('Building the portal (production)…')
  const remixCli = require.resolve('@remix-run/dev/dist/cli.js')
  const result = spawnSync(process.execPath, [remixCli, 'build'], {
    cwd: projectRoot,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production', VITE_CJS_IGNORE_WARNING: 'true' },
  })
  if (result.status !== 0) {
    console.error('The build failed; see the messages above.')
    process.exit(result.status ?? 1)
  }
}
