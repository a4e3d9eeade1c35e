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

const features = ['affected', 'advice', 'members'] as const

export default function CheckPlaceholderPage() {
  const { t } = useTranslation('check')
  return (
    <article className="prose check">
      <h1>{t('heading')}</h1>
      <p className="callout check__soon">{t('opensSoon')}</p>
      <h2>{t('willLetYou.heading')}</h2>
      <ul>
        {features.map((feature) => (
          <li key={feature}>{t(`willLetYou.items.${feature}`)}</li>
        ))}
      </ul>
      <p>{t('willLetYou.onlyYou')}</p>
      <p>{t('meanwhile')}</p>
      <p>
        <Link to="/">{t('backToNotice')}</Link>
      </p>
    </article>
  )
}
