import { useTranslation } from 'react-i18next'
import type { ExposureRecord } from '~/exposure/exposure.server'

/** The person's records, each with what it exposed, masked exactly as the person's own page masks it. */
export function CaseRecords({ records }: { records: ExposureRecord[] }) {
  const { t } = useTranslation('staff')
  const { t: exposure } = useTranslation('exposure')
  return (
    <section aria-labelledby="case-records-heading">
      <h2 id="case-records-heading">{t('caseView.records.heading')}</h2>
      {records.length === 0 ? <p>{t('caseView.records.none')}</p> : null}
      {records.map((record, position) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the records' order is fixed for the page
        <div key={position} className="case-record">
          <h3>
            {t(`cases.cohorts.${record.cohort}`)}{' '}
            <span className="case-record__id">{record.maskedId ?? ''}</span>
          </h3>
          <dl className="case-record__items">
            {record.items.map((item) => (
              <div key={item.category}>
                <dt>{exposure(item.labelKey)}</dt>
                <dd>{item.maskedValue ?? t('caseView.records.notShown')}</dd>
              </div>
            ))}
          </dl>
        </div>
      ))}
    </section>
  )
}
