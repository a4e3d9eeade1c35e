import { request } from 'node:http'
import { networkInterfaces } from 'node:os'

export type RawResponse = {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * One HTTP request with headers `fetch` will not send as given (Host, TRACE),
 * to any address of this machine.
 */
export function rawRequest({
  address = '127.0.0.1',
  port,
  method = 'GET',
  path = '/',
  headers = {},
  body,
}: {
  address?: string
  port: number
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string
}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: address, port, method, path, headers, agent: false, timeout: 10_000 },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          text += chunk
        })
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
        )
      },
    )
    outgoing.on('error', reject)
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')))
    if (body !== undefined) outgoing.write(body)
    outgoing.end()
  })
}

/** An IPv4 address of this machine that is not loopback: how another machine would reach it. */
export function networkAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((info) => info?.family === 'IPv4' && !info.internal)?.address
  if (!address) throw new Error('this test needs a network interface besides loopback')
  return address
}

export const portOf = (url: string) => Number(new URL(url).port)
