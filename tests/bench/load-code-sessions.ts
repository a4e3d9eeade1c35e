import { countAnswer, type KindTally, newTally } from './load-kinds'
import { form } from './load-mix'

/**
 * E-mail checks to the end, as a member does them: the address posted, the
 * code read from the sink once it came, the code posted, the exposure view
 * opened with the session it gave. `connections` of them side by side until
 * `seconds` are up; addresses from `emails`, each used once.
 */
export async function codeSessions({
  url,
  csrf,
  emails,
  nextEmail,
  codeFor,
  connections,
  seconds,
}: {
  url: string
  csrf: { cookie: string; token: string }
  emails: string[]
  nextEmail: () => number
  codeFor: (email: string) => Promise<string | null>
  connections: number
  seconds: number
}) {
  const start = newTally('POST /check/email (session)', [303, 429])
  const entry = newTally('POST /check/email/code', [303])
  const view = newTally('GET /exposure after code', [200])
  const deadline = Date.now() + seconds * 1000
  // As autocannon does, the step ends on time: what is still out then is left unanswered.
  const stepOver = AbortSignal.timeout(seconds * 1000)
  const timed = async (tally: KindTally, path: string, cookie: string, body?: string) => {
    const started = performance.now()
    tally.sent++
    try {
      const response = await fetch(`${url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? { cookie } : { ...form, origin: url, cookie },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(30_000), stepOver]),
      })
      const text = await response.text()
      tally.latencies.push(performance.now() - started)
      countAnswer(tally, response.status, Object.fromEntries(response.headers), text)
      const session = response.headers
        .getSetCookie()
        .map((line) => line.split(';')[0] as string)
        .filter((pair) => !pair.startsWith(csrf.cookie.split('=')[0] as string))
      return { status: response.status, cookie: session.join('; ') }
    } catch {
      if (!stepOver.aborted) tally.errors++
      return { status: 0, cookie: '' }
    }
  }
  const lane = async () => {
    while (Date.now() < deadline) {
      const email = emails[nextEmail()]
      if (!email) return
      const started = await timed(
        start,
        '/check/email',
        csrf.cookie,
        `csrf=${csrf.token}&email=${encodeURIComponent(email)}`,
      )
      if (started.status !== 303) continue
      let code: string | null = null
      while (!code && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250))
        code = await codeFor(email)
      }
      if (!code) continue
      const checked = await timed(
        entry,
        '/check/email/code',
        `${csrf.cookie}; ${started.cookie}`,
        `csrf=${csrf.token}&intent=confirm&code=${code}`,
      )
      if (checked.status !== 303) continue
      await timed(view, '/exposure', checked.cookie || started.cookie)
    }
  }
  await Promise.all(Array.from({ length: connections }, lane))
  return [start, entry, view]
}
