import { getConfig } from '~/config.server'
import { listen } from './main'

/** A web worker forked by the primary (see workers.ts): it serves requests and nothing else. */
const server = await listen(getConfig())

const shutdown = () => {
  setTimeout(() => process.exit(0), 4_000).unref()
  server.close(() => process.exit(0))
}
process.once('SIGTERM', shutdown)
// Ctrl-C reaches the whole process group; the primary decides when to stop.
process.on('SIGINT', () => {})
