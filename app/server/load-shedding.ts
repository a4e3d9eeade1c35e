import type { RequestHandler } from 'express'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'

/** Seconds a shed client is asked to wait: long enough for a queue to drain, short enough for a person. */
export const SHED_RETRY_AFTER_SECONDS = 30

/**
 * Load shedding. At most `depth` requests are in progress in this process
 * (read, answered or waiting on the password helper or the database); one more
 * is answered at once with 503 and `Retry-After`, from a page prepared at
 * start, so a saturated process spends nothing on it and its queue stops
 * growing. Requests already accepted go on being served: the portal slows down
 * and sheds, it does not fall over or time out silently. The health check is
 * never shed, so a load balancer does not take a busy node for a dead one.
 */
export function shedLoad({ depth }: { depth: number }): RequestHandler & { inProgress(): number } {
  let inProgress = 0
  const handler: RequestHandler = (req, res, next) => {
    if (req.path === '/healthz') return next()
    if (inProgress >= depth) {
      res
        .status(503)
        .set({
          'Retry-After': String(SHED_RETRY_AFTER_SECONDS),
          'Cache-Control': 'no-store',
          Connection: 'close',
          'Content-Type': 'text/html; charset=utf-8',
        })
        .send(BUSY_PAGE)
      return
    }
    inProgress += 1
    // 'close' fires once per response, whether it was sent in full or the client went away.
    res.once('close', () => {
      inProgress -= 1
    })
    next()
  }
  return Object.assign(handler, { inProgress: () => inProgress })
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
