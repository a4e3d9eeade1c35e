import type { LoaderFunctionArgs } from '@remix-run/node'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { openReturnPhoto } from '~/returns/staff-return-request.server'
import { requireStaff } from '~/staff/staff-session.server'

/**
 * A return request's photo, for a signed-in staff member's browser alone:
 * never cached, and never sniffed as anything but the JPEG it was re-encoded
 * to (`X-Content-Type-Options: nosniff` is on every response, set site-wide
 * in app/server/security-headers.ts; set here too, it would be sent twice).
 */
const PRIVATE = {
  'Cache-Control': 'no-store, private',
  'Referrer-Policy': 'no-referrer',
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const session = await requireStaff(request)
  const photo = await openReturnPhoto(
    { db: db(), crypto: portalCrypto(), session, context },
    { referenceParam: params.reference, photoIdParam: params.photoId },
  )
  if (!photo) {
    return new Response('Not found', {
      status: 404,
      headers: { ...PRIVATE, 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
  return new Response(new Uint8Array(photo.bytes), {
    headers: {
      ...PRIVATE,
      'Content-Type': photo.mediaType,
      'Content-Length': String(photo.bytes.length),
      'Content-Disposition': 'inline',
    },
  })
}
