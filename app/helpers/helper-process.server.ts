import { type ChildProcess, spawn } from 'node:child_process'

/**
 * A long-lived helper process for work the web process should not do itself
 * (password hashing, photo decoding): its own code given as a string (this
 * module is bundled into build/index.js and runs from any directory), its own
 * environment (no loader flags, no secrets), requests and answers over IPC.
 * A helper that dies fails what it had in hand, and the next request starts a
 * new one.
 */

type Reply = { id: number; result?: unknown; error?: string }
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void }

export type HelperWork = Record<string, { args: unknown; result: unknown }>

export type HelperOptions = {
  /** What the helper is, in error messages ("the password helper stopped"). */
  name: string
  source: string
  env: Record<string, string>
  /** `advanced` passes Buffers as they are (structured clone); `json` is Node's default. */
  serialization?: 'json' | 'advanced'
  /** Node options for the helper (e.g. `--expose-gc` for one that frees large buffers at once). */
  nodeOptions?: string[]
}

/**
 * The helper's side of the protocol, to end its `source` with: `work` maps
 * each operation to an async function; errors travel as their name only.
 */
export const HELPER_PROTOCOL = `
// The web process may be gone by the time an answer is ready: then there is nobody to tell.
const answer = (reply) => { if (process.connected) process.send(reply, () => {}) }
process.on('message', async ({ id, op, args }) => {
  try {
    answer({ id, result: await work[op](args) })
  } catch (error) {
    answer({ id, error: error instanceof Error ? error.name : 'Error' })
  }
})
process.on('disconnect', () => process.exit(0))
`

class HelperProcess<Work extends HelperWork> {
  private readonly child: ChildProcess
  private readonly pending = new Map<number, Pending>()
  private nextId = 0

  constructor(
    private readonly options: HelperOptions,
    onExit: (helper: HelperProcess<Work>) => void,
  ) {
    this.child = spawn(process.execPath, [...(options.nodeOptions ?? []), '-e', options.source], {
      env: { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: options.serialization ?? 'json',
    })
    this.child.on('message', (reply: Reply) => this.settle(reply))
    this.child.on('error', (error) =>
      this.rejectAll(new Error(`the ${options.name} stopped (${error.name})`)),
    )
    this.child.on('exit', (code) => {
      this.rejectAll(new Error(`the ${options.name} stopped (exit code ${code})`))
      onExit(this)
    })
    this.child.unref()
    this.child.channel?.unref()
  }

  run<Op extends keyof Work & string>(op: Op, args: Work[Op]['args']): Promise<Work[Op]['result']> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      // Held while someone waits, or a script awaiting the answer would exit first.
      this.child.channel?.ref()
      this.child.send({ id, op, args }, (error) => {
        if (!error) return
        this.forget(id)
        reject(new Error(`the ${this.options.name} stopped (it could not be reached)`))
      })
    })
  }

  stop() {
    this.child.kill()
  }

  private settle({ id, result, error }: Reply) {
    const waiting = this.pending.get(id)
    if (!waiting) return
    this.forget(id)
    if (error === undefined) waiting.resolve(result)
    else waiting.reject(new Error(`${this.options.name} work failed (${error})`))
  }

  private rejectAll(error: Error) {
    for (const [id, waiting] of this.pending) {
      this.forget(id)
      waiting.reject(error)
    }
  }

  private forget(id: number) {
    this.pending.delete(id)
    if (this.pending.size === 0) this.child.channel?.unref()
  }
}

/** One helper per web process, started on first use and again after it dies. */
export function helperProcess<Work extends HelperWork>(options: () => HelperOptions) {
  let current: HelperProcess<Work> | undefined
  const helper = () => {
    current ??= new HelperProcess<Work>(options(), (exited) => {
      if (current === exited) current = undefined
    })
    return current
  }
  return {
    run: <Op extends keyof Work & string>(op: Op, args: Work[Op]['args']) => helper().run(op, args),
    /** Ends the helper (tests, shutdown); the next call starts a new one. */
    stop() {
      current?.stop()
      current = undefined
    },
  }
}
