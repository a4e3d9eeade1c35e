import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireDevClient } from '~/security/dev-pages.server'

/**
 * Outside production, a page that fails on purpose, so the 500 page can be
 * seen and tested, for a browser on this machine only; otherwise 404.
 */
export function loader({ context }: LoaderFunctionArgs) {
  requireDevClient(context)
  throw new Error('Deliberate failure for the error page')
}

export default function DeliberateError() {
  return null
}
