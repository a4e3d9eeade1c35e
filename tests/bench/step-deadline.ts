/**
 * The kinds of one bench:load step, awaited with a deadline: a kind that has
 * not finished `graceMs` after the step should have ended is named, and the
 * run fails with that instead of waiting for ever (one run was seen to wait
 * after its last connection had closed).
 */
export async function withinStepDeadline<T>(
  runs: { name: string; run: Promise<T> }[],
  { stepMs, graceMs }: { stepMs: number; graceMs: number },
): Promise<T[]> {
  const pending = new Set(runs.map(({ name }) => name))
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `these kinds had not finished ${graceMs / 1000} s after the step: ${[...pending].join(', ')}`,
          ),
        ),
      stepMs + graceMs,
    )
  })
  try {
    return await Promise.race([
      Promise.all(
        runs.map(({ name, run }) =>
          run.then((result) => {
            pending.delete(name)
            return result
          }),
        ),
      ),
      deadline,
    ])
  } finally {
    clearTimeout(timer)
  }
}
