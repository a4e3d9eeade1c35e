import { createServer, type RequestListener, type Server } from 'node:http'

export type ConnectionLimits = {
  /** A client has this long to send its request line and headers (slowloris holds a socket by dripping them). */
  headersTimeoutMs: number
  /** The most open connections one web process keeps; more are closed as they arrive. */
  maxConnections: number
}

// A whole request, photos included, must arrive within this: 31 MB at about 1 Mbit/s,
// a slow phone upload, fits; a body dripped a byte at a time does not hold a socket forever.
const REQUEST_TIMEOUT_MS = 300_000
// An idle keep-alive connection is closed after this; a browser opens another when it needs one.
const KEEP_ALIVE_TIMEOUT_MS = 5_000
// After this many requests a keep-alive connection is closed, so one client cannot pin one
// worker for ever and connections spread again across workers.
export const MAX_REQUESTS_PER_SOCKET = 1_000
// How often Node checks the two timeouts above; its default (30 s) would let a dripping
// client overstay its headers timeout by up to half a minute.
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000

/**
 * An HTTP server for `app` that no client can hold open by being slow: header,
 * request and keep-alive timeouts, a cap on requests per connection and on
 * open connections (kept below the file-descriptor limit, so that accepting
 * never fails for want of one).
 */
export function createLimitedServer(app: RequestListener, limits: ConnectionLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
    },
    app,
  )
  server.maxRequestsPerSocket = MAX_REQUESTS_PER_SOCKET
  server.maxConnections = limits.maxConnections
  return server
}
