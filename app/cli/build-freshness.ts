import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot, serverBuildPath } from '~/server/paths'

const SOURCES = ['app', 'locales', 'db', 'remix.config.js', 'package.json', 'tsconfig.json']

/** True when there is no production build or a source file is newer than it. */
export function isBuildStale() {
  if (!existsSync(serverBuildPath)) return true
  const builtAt = statSync(serverBuildPath).mtimeMs
  return SOURCES.some((source) => newestModification(join(projectRoot, source)) > builtAt)
}

function newestModification(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) {
    newest = Math.max(newest, newestModification(join(path, entry)))
  }
  return newest
}
