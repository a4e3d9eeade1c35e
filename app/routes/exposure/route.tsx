import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import type { ReactNode } from 'react'
import { Trans, useTranslation } from 'react-i18next'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import { loadExposureView } from '~/exposure/exposure.server'
import { dateFormat } from '~/i18n/date-format'
import { requestLanguage } from '~/i18n/i18next.server'
import { getPageMeta } from '~/i18n/page-meta.server'
import { SUPPORT_EMAIL } from '~/incident/incident-facts'
import { personalFormToken } from '~/security/personal-page.server'
import { requireVerifiedHuman } from '~/session/session.server'
import { CsrfField } from '~/ui/csrf-field'
import { MailLink } from '~/ui/incident/mail-link'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['exposure'] }

export const meta = pageMeta

export const headers = () => ({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })

export async function loader({ request }: LoaderFunctionArgs) {
  const humanId = await requireVerifiedHuman(request)
  const view = await loadExposureView(db(), portalCrypto().keyring, humanId)
  const longDate = dateFormat(await requestLanguage(request), { dateStyle: 'long' })
  // Dates are written here, once, so the server's page and the hydrated one agree.
  const formatDate = (iso: string) => longDate.format(new Date(`${iso}T00:00:00+09:00`))
  const records = view.records.map((record) => ({
    ...record,
    period: record.period ? { from: formatDate(record.period.from), to: formatDate(record.period.to) } : null,
  }))
  const { token, headers } = await personalFormToken(request)
  return data(
    {
      meta: await getPageMeta(request, 'exposure'),
      view: { ...view, records },
      // Members are asked to finish their steps before the shop reopens.
      resumptionDate: view.isMember ? formatDate(getConfig().RESUMPTION_DATE) : null,
      csrf: token,
    },
    { headers },
  )
}

type LoadedView = ReturnType<typeof useLoaderData<typeof loader>>['view']

export default function ExposurePage() {
  const { t } = useTranslation('exposure')
  const { view, resumptionDate, csrf } = useLoaderData<typeof loader>()
  const rich = (key: string, values?: Record<string, string>) => (
    <Trans
      t={t}
      i18nKey={key}
      values={values}
      components={{ ja: <span lang="ja" />, mail: <MailLink address={SUPPORT_EMAIL} /> }}
    />
  )
  const nextSteps = (
    <Link to="/account" className="button button--primary exposure__next no-print">
      {t('nextSteps.link')}
    </Link>
  )
  return (
    <article className="prose exposure">
      <h1>{t(view.hasAnyExposure ? 'heading' : 'noExposure.heading')}</h1>
      {view.hasAnyExposure ? (
        <>
          <p>{t('intro')}</p>
          <Summary summary={view.summary} />
        </>
      ) : (
        <>
          <p>{t('noExposure.body')}</p>
          <p>{t('noExposure.caution')}</p>
        </>
      )}
      {resumptionDate ? (
        <section className="callout exposure__next-steps" aria-labelledby="exposure-next-steps">
          <h2 id="exposure-next-steps">{t('nextSteps.heading')}</h2>
          <p>{t('nextSteps.body')}</p>
          <p className="exposure__resumption">{t('nextSteps.resumption', { date: resumptionDate })}</p>
          <p>{nextSteps}</p>
        </section>
      ) : null}
      {view.hasAnyExposure ? (
        <>
          <h2>{t('recordsHeading')}</h2>
          <p>{t('maskedNote')}</p>
          {view.linked ? <p>{t('linked')}</p> : null}
          {view.records.map((record) => (
            <ExposureRecordSection key={`${record.cohort}-${record.maskedId}`} record={record} rich={rich} />
          ))}
        </>
      ) : null}
      <p>{rich('contact', { email: SUPPORT_EMAIL })}</p>
      <div className="exposure__finish">
        {resumptionDate ? <p>{nextSteps}</p> : null}
        <Form method="post" action="/signout" className="exposure__signout">
          <p>{t('signOut.hint')}</p>
          <CsrfField token={csrf} />
          <button
            type="submit"
            className={resumptionDate ? 'button button--secondary' : 'button button--primary'}
          >
            {t('signOut.button')}
          </button>
        </Form>
      </div>
    </article>
  )
}

/** The page at a glance: which categories, and the one or two things to do first. */
function Summary({ summary }: { summary: LoadedView['summary'] }) {
  const { t } = useTranslation('exposure')
  return (
    <section className="exposure-summary" aria-labelledby="exposure-summary">
      <h2 id="exposure-summary">{t('summary.heading')}</h2>
      <h3>{t('summary.categories')}</h3>
      <ul className="exposure-summary__categories">
        {summary.labelKeys.map((key) => (
          <li key={key}>{t(key)}</li>
        ))}
      </ul>
      {summary.firstStepKeys.length > 0 ? (
        <>
          <h3>{t('summary.firstSteps')}</h3>
          <ol className="exposure-summary__steps">
            {summary.firstStepKeys.map((key) => (
              <li key={key}>{t(key)}</li>
            ))}
          </ol>
        </>
      ) : null}
      <p className="exposure-summary__more">{t('summary.details')}</p>
    </section>
  )
}

/**
 * One record: its name, ID and period, then each exposed category as a card
 * of its own (what of yours, what it means, what to do), which reads the same
 * on a phone and a wide screen.
 */
function ExposureRecordSection({
  record,
  rich,
}: {
  record: LoadedView['records'][number]
  rich: (key: string) => ReactNode
}) {
  const { t } = useTranslation('exposure')
  const headingId = `exposure-${record.cohort}-${record.maskedId ?? 'record'}`.replace(/[^\w-]/g, '')
  return (
    <section className="exposure-record" aria-labelledby={headingId}>
      <h3 id={headingId}>{rich(`${record.cohortKey}.name`)}</h3>
      <dl className="exposure-record__facts">
        {record.maskedId ? (
          <div>
            <dt>{t(`${record.cohortKey}.idLabel`)}</dt>
            <dd>{record.maskedId}</dd>
          </div>
        ) : null}
        {record.period ? (
          <div>
            <dt>{t(`${record.cohortKey}.periodLabel`)}</dt>
            {/* Who the notice covers, worded so it is not read as the person's own dates. */}
            <dd>{t(`${record.cohortKey}.periodValue`, record.period)}</dd>
          </div>
        ) : null}
      </dl>
      {record.items.map((item) => (
        <section
          key={item.category}
          className="exposure-item"
          aria-labelledby={`${headingId}-${item.category}`}
        >
          <h4 id={`${headingId}-${item.category}`}>{t(item.labelKey)}</h4>
          <dl>
            <div>
              <dt>{t('columns.value')}</dt>
              <dd className="exposure-item__value">
                {item.maskedValues.length === 0
                  ? t(item.valueKey)
                  : item.maskedValues.map((value) => <div key={value}>{t(item.valueKey, { value })}</div>)}
              </dd>
            </div>
            <div>
              <dt>{t('columns.meaning')}</dt>
              <dd>{t(`${item.adviceKey}.meaning`)}</dd>
            </div>
            <div>
              <dt>{t('columns.action')}</dt>
              <dd>{t(`${item.adviceKey}.action`)}</dd>
            </div>
          </dl>
        </section>
      ))}
    </section>
  )
}
