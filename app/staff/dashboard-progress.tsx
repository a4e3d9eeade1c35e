import { useTranslation } from 'react-i18next'
import { numberFormat } from '~/i18n/number-format'
import { ProgressChartView } from './progress-chart-view'
import type { StaffDashboard } from './staff-dashboard.server'

const SERIES = ['notified', 'checked', 'passwordReset', 'ready'] as const

/** The days since the first notice: the chart, and beside it the table that holds its data. */
export function DashboardProgress({ progress }: { progress: StaffDashboard['progress'] }) {
  const { t, i18n } = useTranslation('staff')
  const { format: number } = numberFormat(i18n.language)
  // Named once: every cell of a row carries its column's name, for the stacked layout of a phone.
  const names = SERIES.map((series) => ({ series, name: t(`dashboard.series.${series}`) }))
  return (
    <section aria-labelledby="dashboard-progress">
      <h2 id="dashboard-progress">{t('dashboard.progress.heading')}</h2>
      {progress === null ? (
        <p>{t('dashboard.progress.empty')}</p>
      ) : (
        <>
          <p>{t('dashboard.progress.intro', { from: progress.from, to: progress.to })}</p>
          <div className="progress-layout">
            <figure className="progress-layout__chart">
              <ProgressChartView
                chart={progress.chart}
                titleId="progress-chart-title"
                title={t('dashboard.progress.chartTitle', { from: progress.from, to: progress.to })}
                description={t('dashboard.progress.chartDescription')}
              />
            </figure>
            <section
              className="progress-layout__table"
              aria-labelledby="progress-table-caption"
              // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls within itself (a phone, a long campaign), and a keyboard scrolls only what has focus (WCAG 2.1.1)
              tabIndex={0}
            >
              <table className="progress-table" id="progress-table">
                <caption id="progress-table-caption">{t('dashboard.progress.tableCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('dashboard.progress.date')}</th>
                    {names.map(({ series, name }) => (
                      <th scope="col" key={series}>
                        {name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {progress.rows.map((row) => (
                    <tr key={row.day}>
                      <th scope="row">
                        <time dateTime={row.date}>{row.label}</time>
                      </th>
                      {names.map(({ series, name }) => (
                        <td key={series} data-label={name}>
                          {number(row[series])}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          </div>
        </>
      )}
    </section>
  )
}
