import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { getPageMeta } from '~/i18n/page-meta.server'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['incident'] }

export const meta = pageMeta

export async function loader({ request }: LoaderFunctionArgs) {
  return { meta: await getPageMeta(request, 'incident') }
}

export default function IncidentPage() {
  const { t } = useTranslation('incident')
  return (
    <article className="prose">
      <h1>{t('heading')}</h1>
      <p>
        <Link to="/check" className="button button--primary">
          {t('checkCta')}
        </Link>
      </p>
    </article>
  )
}
