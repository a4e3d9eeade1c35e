import { connect, type Socket } from 'node:net'

/**
 * A client on a raw socket that sends its request when the test says so: part
 * now, the rest later or never. What a phone on a bad line or a slowloris does.
 */
export type SlowClient = {
  socket: Socket
  /** Sends more of the request. */
  send: (text: string | Buffer) => void
  /** Everything the server has sent so far. */
  received: () => string
  /** Settles when the server (or the test) closes the connection, with all the server sent. */
  closed: Promise<string>
}

export async function openSlowClient(port: number, firstBytes: string | Buffer): Promise<SlowClient> {
  const socket = connect({ host: '127.0.0.1', port })
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  let text = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    text += chunk
  })
  // A reset by the server ends the conversation like a close does.
  socket.on('error', () => {})
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(text)))
  socket.write(firstBytes)
  return { socket, send: (more) => socket.write(more), received: () => text, closed }
}

/** A form post's head, declaring `length` bytes of body, for the body to follow slowly. */
export function postHead({
  port,
  path,
  length,
  contentType = 'application/x-www-form-urlencoded',
}: {
  port: number
  path: string
  length: number
  contentType?: string
}) {
  return [
    `POST ${path} HTTP/1.1`,
    `Host: localhost:${port}`,
    `Origin: http://localhost:${port}`,
    `Content-Type: ${contentType}`,
    `Content-Length: ${length}`,
    '',
    '',
  ].join('\r\n')
}

/** Resolves once `check` holds, polling every `everyMs`; rejects after `withinMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, withinMs: number, everyMs = 50) {
  const deadline = Date.now() + withinMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not so within ${withinMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
