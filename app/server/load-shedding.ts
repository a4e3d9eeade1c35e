import type { RequestHandler, Response } from 'express'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'

/** Seconds a shed client is asked to wait: long enough for a queue to drain, short enough for a person. */
export const SHED_RETRY_AFTER_SECONDS = 30

/**
 * The queue every page request waits in, and load shedding.
 *
 * A page is rendered synchronously, so without a queue of our own a saturated
 * process reads one socket, renders its page, reads the next: the backlog
 * waits unseen in the kernel, grows with every client and ends in timeouts.
 * Here arriving requests are only queued, cheaply, as the event loop reads
 * them, and one is started per turn of the loop, oldest first; so the queue's
 * length is the backlog, and its age the wait. A request is answered at once
 * with 503 and `Retry-After`, from a page prepared at start, when `depth`
 * requests are already waiting or in progress (read, answered, or waiting on
 * the password helper or the database), and when its turn comes after more
 * than `maxWaitMs` in the queue: serving the oldest first when everyone waits
 * too long only makes everyone wait longer. The process spends almost nothing
 * on a refusal and keeps serving what it has accepted. The health check skips
 * the queue, so a load balancer does not take a busy node for a dead one.
 */
export function queueRequests({ depth, maxWaitMs }: { depth: number; maxWaitMs: number }): RequestHandler {
  const waiting: { queuedAt: number; start: () => void; shed: () => void }[] = []
  let inProgress = 0
  let pumping = false
  const startNext = () => {
    const request = waiting.shift()
    if (request) {
      if (performance.now() - request.queuedAt > maxWaitMs) request.shed()
      else request.start()
    }
    if (waiting.length > 0) setImmediate(startNext)
    else pumping = false
  }
  return (req, res, next) => {
    if (req.path === '/healthz') return next()
    if (waiting.length + inProgress >= depth) return answerBusy(res)
    waiting.push({
      queuedAt: performance.now(),
      start: () => {
        // A client that gave up while it waited costs nothing more.
        if (req.socket.destroyed) return
        inProgress += 1
        // 'close' fires once per response, whether it was sent in full or the client went away.
        res.once('close', () => {
          inProgress -= 1
        })
        next()
      },
      shed: () => {
        if (!req.socket.destroyed) answerBusy(res)
      },
    })
    if (!pumping) {
      pumping = true
      setImmediate(startNext)
    }
  }
}

function answerBusy(res: Response) {
  res
    .status(503)
    .set({
      'Retry-After': String(SHED_RETRY_AFTER_SECONDS),
      'Cache-Control': 'no-store',
      Connection: 'close',
      'Content-Type': 'text/html; charset=utf-8',
    })
    .send(BUSY_PAGE)
}

// Both languages on one page: choosing one would cost the work the page exists to save.
// Its stylesheet is a static file (public/busy.css): the CSP allows no inline style, and static files are never shed.
const BUSY_PAGE = `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>ただいま混み合っています / The portal is busy</title>
<link rel="stylesheet" href="/busy.css">
</head><body><main>
<h1>ただいま混み合っています</h1>
<p>アクセスが集中しているため、ページを表示できませんでした。入力した内容は保存されていません。${SHED_RETRY_AFTER_SECONDS}秒ほど待ってから、もう一度お試しください。</p>
<p>解決しない場合は、お客さま向け問合せ窓口 <a href="mailto:${SUPPORT_EMAIL}">${SUPPORT_EMAIL}</a> までご連絡ください。</p>
<section lang="en"><h2>The portal is busy</h2>
<p>Too many people are using the portal right now, so this page could not be shown. Nothing you entered was saved. Please wait about ${SHED_RETRY_AFTER_SECONDS} seconds and try again.</p>
<p>If it keeps happening, write to our customer desk at <a href="mailto:${SUPPORT_EMAIL}">${SUPPORT_EMAIL}</a>.</p>
</section></main></body></html>
`
