import { checkHealth } from '~/health.server'

/** For load balancers and `npm start`'s own smoke check. */
export async function loader() {
  const healthy = await checkHealth()
  return new Response(healthy ? 'ok' : 'unavailable', {
    status: healthy ? 200 : 503,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  })
}
