import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import type { CaseSearchResult } from '~/staff/case-search.server'

/**
 * The people a search found: one card each, linked records together, masked.
 * The heading takes the focus's place after the post, so a screen reader
 * hears how many were found. Nothing found reads the same whoever was asked for.
 */
export function CaseResults({ answer }: { answer: { results: CaseSearchResult[]; tooMany: boolean } }) {
  const { t } = useTranslation('staff')
  const { results, tooMany } = answer
  return (
    <section aria-labelledby="case-results-heading" className="case-results">
      <h2 id="case-results-heading" tabIndex={-1}>
        {t('cases.results.heading', { count: results.length })}
      </h2>
      {tooMany ? (
        <p className="callout">{t('cases.results.tooMany')}</p>
      ) : results.length === 0 ? (
        <div className="callout">
          <p>{t('cases.results.none')}</p>
          <ul>
            <li>{t('cases.results.noneSpelling')}</li>
            <li>{t('cases.results.noneOtherKind')}</li>
            <li>{t('cases.results.noneNotAffected')}</li>
          </ul>
        </div>
      ) : (
        <ul className="case-results__list">
          {results.map((result) => (
            <li key={result.humanId} className="case-card">
              <p className="case-card__name">{result.maskedName ?? t('cases.results.noName')}</p>
              <dl className="case-card__facts">
                {result.records.map((record, position) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: records have no key of their own here and never reorder
                  <div key={position}>
                    <dt>{t(`cases.cohorts.${record.cohort}`)}</dt>
                    <dd>{record.maskedId ?? '—'}</dd>
                  </div>
                ))}
                {result.maskedEmail ? (
                  <div>
                    <dt>{t('cases.results.email')}</dt>
                    <dd>{result.maskedEmail}</dd>
                  </div>
                ) : null}
                {result.maskedPhone ? (
                  <div>
                    <dt>{t('cases.results.phone')}</dt>
                    <dd>{result.maskedPhone}</dd>
                  </div>
                ) : null}
              </dl>
              {result.barred ? (
                <p className="case-card__barred">{t(`cases.results.barred.${result.barred}`)}</p>
              ) : (
                <Link to={`/staff/cases/${result.humanId}`} className="case-card__open">
                  {t('cases.results.open', { name: result.maskedName ?? t('cases.results.noName') })}
                </Link>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
