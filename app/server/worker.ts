import { getConfig } from '~/config.server'
import { listen } from './main'

/** A web worker forked by the primary (see workers.ts): it serves requests and nothing else. */
const config = getConfig()
const { drain } = await listen(config)

const shutdown = () => {
  void drain(config.SHUTDOWN_DRAIN_MS).then(() => process.exit(0))
}
process.once('SIGTERM', shutdown)
// Ctrl-C reaches the whole process group; the primary decides when to stop.
process.on('SIGINT', () => {})
