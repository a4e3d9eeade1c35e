import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import type { CaseRefusal } from '~/staff/case-access.server'

/** Why a case did not open, and what to do instead: never a dead end. */
export function CaseRefused({ reason }: { reason: CaseRefusal }) {
  const { t } = useTranslation('staff')
  return (
    <section className="error-page" aria-labelledby="case-refused-title">
      <h1 id="case-refused-title">{t(`caseView.refused.${reason}.title`)}</h1>
      <p>{t(`caseView.refused.${reason}.body`)}</p>
      <p className="link-row">
        <Link to="/staff/cases">{t('caseView.backToSearch')}</Link>
      </p>
    </section>
  )
}
