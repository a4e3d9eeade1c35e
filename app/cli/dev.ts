import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { projectRoot } from '~/server/paths'
import { bootstrapCommand, migrateForCommand, openForCommand } from './bootstrap'

const require = createRequire(import.meta.url)
const config = bootstrapCommand()

const opened = openForCommand(config)
try {
  await migrateForCommand(opened, config)
} finally {
  await opened.close()
}

// Remix rebuilds on every change and restarts our server command with the new build.
const remixCli = require.resolve('@remix-run/dev/dist/cli.js')
const child = spawn(process.execPath, [remixCli, 'dev', '--command', 'tsx app/cli/serve.ts'], {
  cwd: projectRoot,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'development' },
})
child.on('exit', (code) => process.exit(code ?? 0))
