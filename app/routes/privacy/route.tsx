import type { LoaderFunctionArgs } from '@remix-run/node'
import { useTranslation } from 'react-i18next'
import { getPageMeta } from '~/i18n/page-meta.server'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['privacy'] }

export const meta = pageMeta

export async function loader({ request }: LoaderFunctionArgs) {
  return { meta: await getPageMeta(request, 'privacy') }
}

export default function PrivacyPage() {
  const { t } = useTranslation('privacy')
  return (
    <article className="prose">
      <h1>{t('heading')}</h1>
    </article>
  )
}
