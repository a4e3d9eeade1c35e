import type { Server, ServerResponse } from 'node:http'

export type Drainable = { drain(deadlineMs: number): Promise<void> }

/**
 * Makes `server` stoppable the way a deploy or a scale-down wants: no new
 * connections, every request already started answered (a half-sent photo
 * upload finishes, a password reset is saved) with `Connection: close`, idle
 * keep-alive connections closed at once. Whatever is still open after
 * `deadlineMs` is cut, so a stuck client cannot hold a shutdown for ever.
 */
export function drainable(server: Server): Drainable {
  // Responses in progress, so that those not yet begun can be told to close their connection.
  const open = new Set<ServerResponse>()
  let draining = false
  server.on('request', (_req, res: ServerResponse) => {
    if (draining) {
      res.shouldKeepAlive = false
      return
    }
    open.add(res)
    res.once('close', () => open.delete(res))
  })
  return {
    async drain(deadlineMs) {
      draining = true
      for (const res of open) if (!res.headersSent) res.shouldKeepAlive = false
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      const cut = setTimeout(() => server.closeAllConnections(), deadlineMs)
      cut.unref()
      await closed
      clearTimeout(cut)
    },
  }
}
