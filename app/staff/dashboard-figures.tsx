import { useTranslation } from 'react-i18next'
import { numberFormat } from '~/i18n/number-format'
import type { StaffDashboard } from './staff-dashboard.server'

/** Today's figures: people per cohort, notices by channel, and the steps people have taken. */
export function DashboardFigures({ dashboard }: { dashboard: StaffDashboard }) {
  const { t, i18n } = useTranslation('staff')
  const { format: number } = numberFormat(i18n.language)
  const records = dashboard.cohorts.reduce((sum, row) => sum + row.records, 0)
  const sum = (key: 'delivered' | 'failed') =>
    dashboard.channels.reduce((total, row) => total + (row[key] ?? 0), 0)
  return (
    <section aria-labelledby="dashboard-figures">
      <h2 id="dashboard-figures">{t('dashboard.figuresHeading')}</h2>
      <table className="figures-table" id="figures-cohorts">
        <caption>{t('dashboard.cohorts.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dashboard.cohorts.cohort')}</th>
            <th scope="col">{t('dashboard.cohorts.people')}</th>
            <th scope="col">{t('dashboard.cohorts.records')}</th>
          </tr>
        </thead>
        <tbody>
          {dashboard.cohorts.map((row) => (
            <tr key={row.cohort} data-cohort={row.cohort}>
              <th scope="row">{t(`dashboard.cohorts.names.${row.cohort}`)}</th>
              <td>{number(row.people)}</td>
              <td>{number(row.records)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-cohort="all">
            <th scope="row">{t('dashboard.cohorts.total')}</th>
            <td>{number(dashboard.humans)}</td>
            <td>{number(records)}</td>
          </tr>
        </tfoot>
      </table>
      <p className="table-note">{t('dashboard.cohorts.note')}</p>

      <table className="figures-table" id="figures-notices">
        <caption>{t('dashboard.notices.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dashboard.notices.channel')}</th>
            <th scope="col">{t('dashboard.notices.notified')}</th>
            <th scope="col">{t('dashboard.notices.delivered')}</th>
            <th scope="col">{t('dashboard.notices.failed')}</th>
          </tr>
        </thead>
        <tbody>
          {dashboard.channels.map((row) => (
            <tr key={row.channel} data-channel={row.channel}>
              <th scope="row">{t(`dashboard.notices.channels.${row.channel}`)}</th>
              <td>{number(row.notified)}</td>
              <td>{number(row.delivered)}</td>
              <td>{row.failed === null ? t('dashboard.notices.notApplicable') : number(row.failed)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-channel="all">
            <th scope="row">{t('dashboard.notices.total')}</th>
            <td>{number(dashboard.notifiedTotal)}</td>
            <td>{number(sum('delivered'))}</td>
            <td>{number(sum('failed'))}</td>
          </tr>
        </tfoot>
      </table>
      <p className="table-note">{t('dashboard.notices.note')}</p>

      <table className="figures-table" id="figures-steps">
        <caption>{t('dashboard.steps.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dashboard.steps.step')}</th>
            <th scope="col">{t('dashboard.steps.people')}</th>
          </tr>
        </thead>
        <tbody>
          {(['checked', 'passwordReset', 'detailsConfirmed', 'ready'] as const).map((step) => (
            <tr key={step} data-step={step}>
              <th scope="row">{t(`dashboard.steps.names.${step}`)}</th>
              <td>{number(dashboard.steps[step])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="table-note">{t('dashboard.steps.note')}</p>
    </section>
  )
}
