/**
 * Waits for every one of `steps` (starting the portal, opening browsers; an
 * `undefined` is a step never started), then throws the first failure, so
 * nothing started is left unclosed when another step fails.
 */
export async function settleAll(...steps: (Promise<unknown> | undefined)[]) {
  const results = await Promise.allSettled(steps)
  for (const result of results) {
    if (result.status === 'rejected') throw result.reason
  }
}
