import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url))

/**
 * How to run one of the portal's TypeScript commands from any directory, so a
 * test can give it a working directory of its own (and its own `.env`, if any).
 */
export function portalCommand(script: string) {
  return {
    command: process.execPath,
    args: [
      '--import',
      pathToFileURL(join(projectRoot, 'node_modules/tsx/dist/loader.mjs')).href,
      join(projectRoot, script),
    ],
    env: { TSX_TSCONFIG_PATH: join(projectRoot, 'tsconfig.json') },
  }
}
