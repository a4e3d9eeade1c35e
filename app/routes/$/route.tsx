/** Any path no other route claims: the root error boundary shows a localised 404. */
export function loader() {
  throw new Response(null, { status: 404 })
}

export default function NotFound() {
  return null
}
