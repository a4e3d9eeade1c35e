import cluster from 'node:cluster'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { broadcastDevReady, type ServerBuild } from '@remix-run/node'
import { startAuditCheckpoints } from '~/audit/checkpoint-schedule.server'
import type { Config } from '~/config.server'
import { preparePortalCrypto } from '~/crypto.server'
import { startBackgroundSender } from '~/mail/background-sender.server'
import { createApp } from './app'
import { createLimitedServer } from './connection-limits'
import { type Drainable, drainable } from './graceful-shutdown'
import { startHousekeeping } from './housekeeping'
import { serverBuildPath } from './paths'
import { markServing } from './serving-marker'
import { leaveSqliteCheckpointsToTheirThread, startSqliteCheckpoints } from './sqlite-checkpoints'
import { superviseWorkers } from './workers'

async function importBuild(): Promise<ServerBuild> {
  // A query string defeats the module cache so that development rebuilds are picked up.
  return import(`${pathToFileURL(serverBuildPath).href}?t=${Date.now()}`)
}

/**
 * Serves the built portal on `config.PORT`; resolves once it listens. With
 * more than one web worker this process supervises them (node:cluster shares
 * the port) and does the background work itself, once for all of them.
 */
export async function serve(config: Config) {
  const underRemixDev = Boolean(process.env.REMIX_DEV_ORIGIN)
  const workers = underRemixDev ? 1 : config.WEB_WORKERS
  leaveSqliteCheckpointsToTheirThread(config)
  // Before anything listens: `npm run restore` refuses to swap the database out while this is here.
  markServing(config)
  if (workers > 1) {
    const supervisor = await superviseWorkers(config, workers)
    announce(config, supervisor.port)
    stopOnSignal(config, startBackgroundWork(config), supervisor)
    return
  }
  const { server, drain } = await listen(config)
  announce(config, (server.address() as AddressInfo).port)
  stopOnSignal(config, startBackgroundWork(config), {
    stop: () => drain(config.SHUTDOWN_DRAIN_MS),
  })
}

/** One web server process: the Remix build behind Express, listening on `config.PORT`; `drain` stops it gently. */
export async function listen(config: Config): Promise<{ server: Server } & Drainable> {
  // A request's commit never waits for the write-ahead log to be copied back (see sqlite-checkpoints.ts).
  leaveSqliteCheckpointsToTheirThread(config)
  // Request handlers take the keys without waiting: which index key the digests are under is read now.
  await preparePortalCrypto(config)
  const build = await importBuild()
  // Set by `remix dev`, which rebuilds and wants to hear when the new build is live.
  const underRemixDev = Boolean(process.env.REMIX_DEV_ORIGIN)
  const app = createApp({
    build: underRemixDev ? importBuild : build,
    mode: config.NODE_ENV,
    isProduction: config.isProduction,
    trustProxy: config.TRUST_PROXY,
    publicUrl: config.PUBLIC_URL,
    requestQueueDepth: config.REQUEST_QUEUE_DEPTH,
    requestQueueWaitMs: config.REQUEST_QUEUE_WAIT_MS,
  })
  const server = createLimitedServer(app, {
    headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
    maxConnections: config.MAX_CONNECTIONS,
  })
  const { drain } = drainable(server)
  const host = listenAddress(config)
  if (host === undefined) server.listen(config.PORT)
  else server.listen(config.PORT, host)
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
  if (underRemixDev) await broadcastDevReady(build)
  return { server, drain }
}

/**
 * Where to listen: HOST when set; otherwise every interface in production (as
 * behind a proxy or in a container) and loopback only elsewhere, so a portal
 * started without NODE_ENV=production by mistake cannot be reached from the
 * network. `undefined` is Node's "every interface".
 */
export function listenAddress(config: Pick<Config, 'HOST' | 'isProduction'>): string | undefined {
  return config.HOST ?? (config.isProduction ? undefined : LOOPBACK)
}

const LOOPBACK = '127.0.0.1'
const NAMED_LOCALHOST = new Set(['0.0.0.0', '::', LOOPBACK, '::1', 'localhost'])

function announce(config: Config, port: number) {
  const host = listenAddress(config)
  const name =
    host === undefined || NAMED_LOCALHOST.has(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host
  console.log(`Sekaimon exposure portal listening on http://${name}:${port}`)
}

/** The outbox sender, housekeeping and audit checkpoints: one of each per portal, not per web worker. */
function startBackgroundWork(config: Config) {
  if (!cluster.isPrimary) throw new Error('background work belongs to the primary process')
  const sender = startBackgroundSender(config)
  const housekeeping = startHousekeeping(config)
  const checkpoints = startAuditCheckpoints(config)
  const walCheckpoints = startSqliteCheckpoints(config)
  return {
    async stop() {
      await Promise.all([checkpoints.stop(), housekeeping.stop(), sender?.stop(), walCheckpoints?.stop()])
    },
  }
}

type Stoppable = { stop(): Promise<void> }

const SHUTDOWN_GRACE_MS = 2_000

function stopOnSignal(config: Pick<Config, 'SHUTDOWN_DRAIN_MS'>, ...parts: Stoppable[]) {
  const shutdown = () => {
    // Requests get the drain deadline; the outbox sender and web workers a moment more to close.
    setTimeout(() => process.exit(0), config.SHUTDOWN_DRAIN_MS + SHUTDOWN_GRACE_MS).unref()
    void Promise.allSettled(parts.map((part) => part.stop())).then(() => process.exit(0))
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}
