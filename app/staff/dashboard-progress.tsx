import { useTranslation } from 'react-i18next'
import { ProgressChartView } from './progress-chart-view'
import type { StaffDashboard } from './staff-dashboard.server'

const SERIES = ['notified', 'checked', 'passwordReset', 'ready'] as const

/** The days since the first notice: the chart, and beside it the table that holds its data. */
export function DashboardProgress({ progress }: { progress: StaffDashboard['progress'] }) {
  const { t, i18n } = useTranslation('staff')
  const number = (value: number) => value.toLocaleString(i18n.language)
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
                    {SERIES.map((series) => (
                      <th scope="col" key={series}>
                        {t(`dashboard.series.${series}`)}
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
                      {SERIES.map((series) => (
                        // Each cell names its column, for the stacked layout of a phone.
                        <td key={series} data-label={t(`dashboard.series.${series}`)}>
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
