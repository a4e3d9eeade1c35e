import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { getSubPageMeta } from '~/i18n/page-meta.server'
import { requireVerifiedHuman } from '~/session/session.server'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['exposure'] }

export const meta = pageMeta

export const headers = () => ({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })

/** Where members go next: the required steps come with the account work; for now, what they will be. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireVerifiedHuman(request)
  return data({ meta: await getSubPageMeta(request, 'exposure', 'account') })
}

export default function AccountStepsPage() {
  const { t } = useTranslation('exposure')
  return (
    <article className="prose account">
      <h1>{t('account.heading')}</h1>
      <p>{t('account.body')}</p>
      <p>
        <Link to="/exposure">{t('account.back')}</Link>
      </p>
    </article>
  )
}
