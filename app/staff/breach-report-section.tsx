import { useTranslation } from 'react-i18next'

/** The breach report's download, with what the file holds: supervisors alone see it. */
export function BreachReportSection() {
  const { t } = useTranslation('staff')
  return (
    <section aria-labelledby="breach-report">
      <h2 id="breach-report">{t('report.heading')}</h2>
      <p>{t('report.intro')}</p>
      <ul>
        <li>{t('report.contents.affected')}</li>
        <li>{t('report.contents.categories')}</li>
        <li>{t('report.contents.notified')}</li>
      </ul>
      <p>{t('report.audited')}</p>
      {/* A plain link: the file is a download, not a page for the router. */}
      <a className="button button--secondary" href="/staff/report.csv" download>
        {t('report.download')}
      </a>
    </section>
  )
}
