import {
  type AppLoadContext,
  createReadableStreamFromReadable,
  type EntryContext,
  type HandleDataRequestFunction,
  type HandleErrorFunction,
} from '@remix-run/node'
import { isRouteErrorResponse, RemixServer } from '@remix-run/react'
import { isbot } from 'isbot'
import { renderToPipeableStream } from 'react-dom/server'
import { I18nextProvider } from 'react-i18next'
import { i18nFor, requestLanguage } from './i18n/i18next.server'
import { NonceProvider } from './server/nonce'
import { stripTrailingNulBytes } from './server/strip-nul-bytes'

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
  // Crawlers and no-JS readers get the whole page at once; browsers get the shell early.
  const readyEvent = isbot(request.headers.get('user-agent')) ? 'onAllReady' : 'onShellReady'

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
        [readyEvent]() {
          shellRendered = true
          const body = stripTrailingNulBytes()
          responseHeaders.set('Content-Type', 'text/html; charset=utf-8')
          // Pages may carry personal data: no shared or browser cache keeps them.
          responseHeaders.set('Cache-Control', 'no-store')
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          )
          pipe(body)
        },
        onShellError(error: unknown) {
          reject(error)
        },
        onError(error: unknown) {
          responseStatusCode = 500
          if (shellRendered) logServerError(error)
        },
      },
    )
    setTimeout(abort, ABORT_DELAY + 1_000)
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
