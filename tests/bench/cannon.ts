import autocannon from 'autocannon'
import { MAX_REQUESTS_PER_SOCKET } from '~/server/connection-limits'

/**
 * autocannon as a conforming HTTP/1.1 client. The portal closes a keep-alive
 * connection after MAX_REQUESTS_PER_SOCKET requests, saying `Connection: close`
 * on the last answer; a browser or proxy then opens a new connection, but
 * autocannon goes on sending on the old one, and Node answers each of those
 * with a bare 503 the benchmarks would count as failures. Reconnecting at
 * the same count is what a real client does.
 */
export function cannon(options: autocannon.Options) {
  return autocannon({ reconnectRate: MAX_REQUESTS_PER_SOCKET, ...options })
}

/**
 * The same, run until `stop` rather than for a length known beforehand
 * (`duration` is then only a ceiling): load beside work whose own length is
 * what is measured. autocannon ends at its next tick, within a second of `stop`.
 */
export function cannonUntilStopped(options: autocannon.Options) {
  let instance: autocannon.Instance | undefined
  const result = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ reconnectRate: MAX_REQUESTS_PER_SOCKET, ...options }, (error, result) =>
      error ? reject(error) : resolve(result),
    )
  })
  return { result, stop: () => instance?.stop() }
}
