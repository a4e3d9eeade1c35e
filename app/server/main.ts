import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { broadcastDevReady, type ServerBuild } from '@remix-run/node'
import type { Config } from '~/config.server'
import { startBackgroundSender } from '~/mail/background-sender.server'
import { createApp } from './app'
import { startHousekeeping } from './housekeeping'
import { serverBuildPath } from './paths'

async function importBuild(): Promise<ServerBuild> {
  // A query string defeats the module cache so that development rebuilds are picked up.
  return import(`${pathToFileURL(serverBuildPath).href}?t=${Date.now()}`)
}

/** Serves the built portal on `config.PORT`; resolves once it listens. */
export async function serve(config: Config) {
  const build = await importBuild()
  // Set by `remix dev`, which rebuilds and wants to hear when the new build is live.
  const underRemixDev = Boolean(process.env.REMIX_DEV_ORIGIN)
  const app = createApp({
    build: underRemixDev ? importBuild : build,
    mode: config.NODE_ENV,
    isProduction: config.isProduction,
    trustProxy: config.TRUST_PROXY,
    publicUrl: config.PUBLIC_URL,
  })
  const server = app.listen(config.PORT)
  await new Promise<void>((resolve) => {
    server.once('listening', resolve)
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? 'is already in use (set PORT to another one)'
          : `cannot be used (${error.code})`
      console.error(`Port ${config.PORT} ${reason}.`)
      process.exit(1)
    })
  })
  const { port } = server.address() as AddressInfo
  console.log(`Sekaimon exposure portal listening on http://localhost:${port}`)
  if (underRemixDev) await broadcastDevReady(build)
  const sender = startBackgroundSender(config)
  const housekeeping = startHousekeeping(config)

  const shutdown = () => {
    void sender?.stop()
    housekeeping.stop()
    server.close(() => process.exit(0))
    setTimeout(() => process.exit(0), 5_000).unref()
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  return server
}
