import type { LoaderFunctionArgs } from '@remix-run/node'
import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { getPageMeta } from '~/i18n/page-meta.server'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['check'] }

export const meta = pageMeta

export async function loader({ request }: LoaderFunctionArgs) {
  return { meta: await getPageMeta(request, 'check') }
}

export default function CheckPlaceholderPage() {
  const { t } = useTranslation('check')
  return (
    <article className="prose">
      <h1>{t('heading')}</h1>
      <p>{t('opensSoon')}</p>
      <p>{t('meanwhile')}</p>
      <p>
        <Link to="/">{t('backToNotice')}</Link>
      </p>
    </article>
  )
}
