import { type ChildProcess, fork } from 'node:child_process'
import { portalCommand } from '../support/portal-command'

/**
 * The benchmarks' SMTP server (smtp-sink-run.ts) in a process of its own: in
 * the benchmark's process, taking a burst of mail would stall the load
 * generator's event loop and show up as the portal's latency.
 */
export async function startSinkProcess() {
  const run = portalCommand('tests/bench/smtp-sink-run.ts')
  const child = fork(run.args.at(-1) as string, [], {
    execArgv: run.args.slice(0, -1),
    env: { ...process.env, ...run.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const url = await new Promise<string>((resolve) =>
    child.once('message', (m: { url: string }) => resolve(m.url)),
  )
  return { url, count: () => ask(child, 'count'), close: () => ask(child, 'close') }
}

function ask(child: ChildProcess, question: 'count' | 'close') {
  return new Promise<number>((resolve) => {
    if (question === 'close') child.once('exit', () => resolve(0))
    else child.once('message', (m: { count: number }) => resolve(m.count))
    child.send({ ask: question })
  })
}
