import { getConfig } from '~/config.server'

/**
 * Outside production, a page that fails on purpose, so the 500 page can be
 * seen and tested; production answers 404.
 */
export function loader() {
  if (getConfig().isProduction) throw new Response(null, { status: 404 })
  throw new Error('Deliberate failure for the error page')
}

export default function DeliberateError() {
  return null
}
