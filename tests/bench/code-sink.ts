import { fork } from 'node:child_process'
import { portalCommand } from '../support/portal-command'

/** code-sink-run.ts in a process of its own, and the questions bench:load asks it. */
export async function startCodeSink() {
  const run = portalCommand('tests/bench/code-sink-run.ts')
  const child = fork(run.args.at(-1) as string, [], {
    execArgv: run.args.slice(0, -1),
    env: { ...process.env, ...run.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const url = await new Promise<string>((resolve) =>
    child.once('message', (m: { url: string }) => resolve(m.url)),
  )
  let nextId = 0
  const waiting = new Map<number, (answer: { code?: string | null; count?: number }) => void>()
  child.on('message', (m: { id?: number; code?: string | null; count?: number }) => {
    if (m.id === undefined) return
    waiting.get(m.id)?.(m)
    waiting.delete(m.id)
  })
  const ask = (question: { ask: 'code' | 'count'; to?: string }) =>
    new Promise<{ code?: string | null; count?: number }>((resolve) => {
      const id = nextId++
      waiting.set(id, resolve)
      child.send({ ...question, id })
    })
  return {
    url,
    /** The code last sent to `to`, taken (null when none came yet). */
    code: async (to: string) => (await ask({ ask: 'code', to })).code ?? null,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.send({ ask: 'close' })
      }),
  }
}
