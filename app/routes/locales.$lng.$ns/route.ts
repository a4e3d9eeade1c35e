import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { supportedLanguages } from '~/i18n/config'
import { isNamespace, resources } from '~/i18n/resources.server'

const paramsSchema = z.object({
  lng: z.enum(supportedLanguages),
  ns: z
    .string()
    .regex(/^[a-zA-Z-]+\.json$/)
    .transform((file) => file.slice(0, -'.json'.length))
    .refine(isNamespace),
})

/** Translations for the browser, served from the same bundle the server renders with. */
export function loader({ params, request }: LoaderFunctionArgs) {
  const parsed = paramsSchema.safeParse(params)
  if (!parsed.success) throw new Response('Not found', { status: 404 })
  const { lng, ns } = parsed.data
  const versioned = new URL(request.url).searchParams.has('v')
  return new Response(JSON.stringify(resources[lng][ns as keyof (typeof resources)['ja']]), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    },
  })
}
