import type {
  AppLoadContext,
  EntryContext,
  HandleDataRequestFunction,
  HandleErrorFunction,
} from '@remix-run/node'
import { isRouteErrorResponse, RemixServer } from '@remix-run/react'
import { renderToPipeableStream } from 'react-dom/server'
import { I18nextProvider } from 'react-i18next'
import { i18nFor, requestLanguage } from './i18n/i18next.server'
import { NonceProvider } from './server/nonce'
import { wholeDocument } from './server/whole-document'
import { storageFullRetryAfter } from './ui/storage-full-data'

const ABORT_DELAY = 5_000

export const streamTimeout = ABORT_DELAY

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce
  const i18n = i18nFor(await requestLanguage(request))
  const { sink, document } = wholeDocument()

  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <I18nextProvider i18n={i18n}>
          <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
        </I18nextProvider>
      </NonceProvider>,
      {
        nonce,
        // Every reader gets the whole page at once: no route defers data (whole-document.ts).
        onAllReady() {
          shellRendered = true
          pipe(sink)
        },
        onShellError(error: unknown) {
          clearTimeout(deadline)
          reject(error)
        },
        onError(error: unknown) {
          responseStatusCode = 500
          if (shellRendered) logServerError(error)
        },
      },
    )
    const deadline = setTimeout(abort, ABORT_DELAY + 1_000)
    document.then(
      (html) => {
        clearTimeout(deadline)
        responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
        // Pages may carry personal data: no shared or browser cache keeps them.
        responseHeaders.set('Cache-Control', 'no-store')
        // A refused write (app/server/storage-full.ts): the reader's browser is told when to try again.
        const retryAfter = storageFullRetryAfter(remixContext.staticHandlerContext.errors)
        if (retryAfter !== undefined) responseHeaders.set('Retry-After', String(retryAfter))
        const body = new Uint8Array(html.buffer as ArrayBuffer, html.byteOffset, html.byteLength)
        resolve(new Response(body, { headers: responseHeaders, status: responseStatusCode }))
      },
      (error: unknown) => {
        clearTimeout(deadline)
        reject(error)
      },
    )
  })
}

export const handleDataRequest: HandleDataRequestFunction = (response) => {
  response.headers.set('Cache-Control', 'no-store')
  return response
}

export const handleError: HandleErrorFunction = (error, { request }) => {
  // Thrown responses (404, 400…) are answers, not failures.
  if (request.signal.aborted || isRouteErrorResponse(error)) return
  logServerError(error)
}

// Errors are logged by type and stack only: a message could quote what a visitor typed.
function logServerError(error: unknown) {
  if (error instanceof Error) {
    console.error(`[server error] ${error.name}\n${error.stack?.split('\n').slice(1).join('\n') ?? ''}`)
  } else {
    console.error('[server error] non-Error value thrown')
  }
}
