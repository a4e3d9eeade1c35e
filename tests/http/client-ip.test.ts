import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LoaderFunctionArgs, ServerBuild } from '@remix-run/node'
import { afterEach, describe, expect, it } from 'vitest'
import { clientIp } from '~/security/client-ip.server'
import { createApp } from '~/server/app'

/**
 * No page of the portal shows the client IP, so the portal's Express app is
 * started here with a one-route build whose resource route answers with the
 * `clientIp` of its load context: the real trust-proxy setting and load
 * context, over real HTTP from 127.0.0.1.
 */
const echoBuild = {
  mode: 'production',
  entry: { module: { default: () => new Response('no documents here', { status: 500 }) } },
  routes: {
    root: { id: 'root', path: '', module: { default: () => null } },
    'routes/ip': {
      id: 'routes/ip',
      parentId: 'root',
      path: 'ip',
      module: {
        loader: ({ context }: LoaderFunctionArgs) => Response.json({ ip: clientIp(context) }),
      },
    },
  },
  assets: { entry: { module: '', imports: [] }, routes: {}, url: '', version: 'test' },
  publicPath: '/build/',
  assetsBuildDirectory: 'public/build',
  future: {
    v3_fetcherPersist: true,
    v3_relativeSplatPath: true,
    v3_throwAbortReason: true,
    v3_singleFetch: true,
  },
  isSpaMode: false,
} as unknown as ServerBuild

let server: Server | undefined

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve))
  server = undefined
})

async function ipSeenBy(trustProxy: number, forwardedFor?: string) {
  const app = createApp({
    build: echoBuild,
    mode: 'production',
    isProduction: false,
    trustProxy,
    publicUrl: 'http://localhost',
    requestQueueDepth: 16,
    requestQueueWaitMs: 2_000,
  })
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server?.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  const response = await fetch(`http://127.0.0.1:${port}/ip`, {
    headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {},
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { ip: string }).ip
}

describe('the client IP', () => {
  it('is the socket peer without a trusted proxy, whatever X-Forwarded-For says', async () => {
    expect(await ipSeenBy(0)).toBe('127.0.0.1')
    expect(await ipSeenBy(0, '203.0.113.9')).toBe('127.0.0.1')
  })

  it('is the address the one trusted proxy saw with TRUST_PROXY=1', async () => {
    expect(await ipSeenBy(1, '203.0.113.9')).toBe('203.0.113.9')
    // A client can prepend what it likes; only the hop the proxy appended counts.
    expect(await ipSeenBy(1, '198.51.100.1, 203.0.113.9')).toBe('203.0.113.9')
    expect(await ipSeenBy(1)).toBe('127.0.0.1')
  })

  it('goes one hop further back per trusted proxy', async () => {
    expect(await ipSeenBy(2, '198.51.100.1, 203.0.113.9')).toBe('198.51.100.1')
  })
})
