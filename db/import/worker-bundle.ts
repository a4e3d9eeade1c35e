import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

/**
 * The import's worker threads run one plain JavaScript bundle of
 * chunk-worker.ts. Through the TypeScript loader each worker would start its
 * own loader thread and compile every module again: about 50 MB and a second
 * of CPU a worker. Packages stay external, resolved from node_modules as usual.
 */
const ENTRY = fileURLToPath(new URL('./chunk-worker.ts', import.meta.url))
const OUT_DIRECTORY = fileURLToPath(new URL('../../node_modules/.cache/portal/', import.meta.url))

export async function chunkWorkerBundle(): Promise<URL> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]?.contents as Uint8Array
  // Named by content: imports running at once share a file, and none sees one half-written.
  const name = `import-chunk-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`
  const path = `${OUT_DIRECTORY}${name}`
  if (!existsSync(path)) {
    mkdirSync(OUT_DIRECTORY, { recursive: true })
    const temporary = `${path}.${process.pid}.tmp`
    writeFileSync(temporary, code)
    renameSync(temporary, path)
  }
  return pathToFileURL(path)
}
