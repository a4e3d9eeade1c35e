import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { getNotFoundMeta } from '~/i18n/page-meta.server'
import { ErrorPage } from '~/ui/general-error-boundary'
import { pageMeta } from '~/ui/page-meta'

export const meta = pageMeta

/**
 * Any path no other route claims. It renders the 404 page itself (rather than
 * throwing to the root boundary) so leaving it is an ordinary navigation.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  return data({ meta: await getNotFoundMeta(request) }, { status: 404 })
}

export default function NotFound() {
  return <ErrorPage status={404} kind="notFound" />
}
