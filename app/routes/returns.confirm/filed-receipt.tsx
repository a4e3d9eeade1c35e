import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { ReturnsContact } from '~/ui/returns-contact'

/** The request went through: its reference, where the receipt went, and what happens next. */
export function FiledReceipt({ reference, email }: { reference: string; email: string }) {
  const { t } = useTranslation('returns')
  return (
    <article className="prose returns">
      <h1>{t('filed.heading')}</h1>
      <p className="callout" role="status">
        {t('filed.referenceLabel')}
        <br />
        <span className="return-reference">{reference}</span>
      </p>
      <p>{t('filed.intro')}</p>
      <p>{t('filed.mailed', { email })}</p>
      <p>{t('filed.next')}</p>
      <p className="link-row">
        <Link to="/returns/status">{t('filed.status')}</Link>
      </p>
      <ReturnsContact />
    </article>
  )
}
