import { data, type LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { Trans, useTranslation } from 'react-i18next'
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
  const view = loadExposureView(db(), portalCrypto().keyring, humanId)
  const longDate = dateFormat(await requestLanguage(request), { dateStyle: 'long' })
  // Dates are written here, once, so the server's page and the hydrated one agree.
  const formatDate = (iso: string) => longDate.format(new Date(`${iso}T00:00:00+09:00`))
  const records = view.records.map((record) => ({
    ...record,
    period: record.period ? { from: formatDate(record.period.from), to: formatDate(record.period.to) } : null,
  }))
  const { token, headers } = await personalFormToken(request)
  return data(
    { meta: await getPageMeta(request, 'exposure'), view: { ...view, records }, csrf: token },
    { headers },
  )
}

export default function ExposurePage() {
  const { t } = useTranslation('exposure')
  const { view, csrf } = useLoaderData<typeof loader>()
  const rich = (key: string, values?: Record<string, string>) => (
    <Trans
      t={t}
      i18nKey={key}
      values={values}
      components={{ ja: <span lang="ja" />, mail: <MailLink address={SUPPORT_EMAIL} /> }}
    />
  )
  return (
    <article className="prose exposure">
      <h1>{t(view.hasAnyExposure ? 'heading' : 'noExposure.heading')}</h1>
      {view.hasAnyExposure ? (
        <>
          <p>{t('intro')}</p>
          <p>{t('maskedNote')}</p>
          {view.linked ? <p>{t('linked')}</p> : null}
          <h2>{t('recordsHeading')}</h2>
          {view.records.map((record) => (
            <section key={`${record.cohort}-${record.maskedId}`} className="exposure-record">
              <h3>{rich(`${record.cohortKey}.name`)}</h3>
              <dl className="exposure-record__facts">
                {record.maskedId ? (
                  <>
                    <dt>{t(`${record.cohortKey}.idLabel`)}</dt>
                    <dd>{record.maskedId}</dd>
                  </>
                ) : null}
                {record.period ? (
                  <>
                    <dt>{t(`${record.cohortKey}.periodLabel`)}</dt>
                    {/* Who the notice covers, worded so it is not read as the person's own dates. */}
                    <dd>{t(`${record.cohortKey}.periodValue`, record.period)}</dd>
                  </>
                ) : null}
              </dl>
              <table>
                <caption>{t('tableCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('columns.category')}</th>
                    <th scope="col">{t('columns.value')}</th>
                    <th scope="col">{t('columns.meaning')}</th>
                    <th scope="col">{t('columns.action')}</th>
                  </tr>
                </thead>
                <tbody>
                  {record.items.map((item) => (
                    <tr key={item.category}>
                      <th scope="row">{t(item.labelKey)}</th>
                      <td>
                        {item.maskedValues.length === 0
                          ? t(item.valueKey)
                          : item.maskedValues.map((value) => (
                              <div key={value}>{t(item.valueKey, { value })}</div>
                            ))}
                      </td>
                      <td>{t(`${item.adviceKey}.meaning`)}</td>
                      <td>{t(`${item.adviceKey}.action`)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
        </>
      ) : (
        <>
          <p>{t('noExposure.body')}</p>
          <p>{t('noExposure.caution')}</p>
        </>
      )}
      {view.isMember ? (
        <section className="callout">
          <h2>{t('nextSteps.heading')}</h2>
          <p>{t('nextSteps.body')}</p>
          <p>
            <Link to="/account">{t('nextSteps.link')}</Link>
          </p>
        </section>
      ) : null}
      <p>{rich('contact', { email: SUPPORT_EMAIL })}</p>
      <Form method="post" action="/signout" className="exposure__signout">
        <p>{t('signOut.hint')}</p>
        <CsrfField token={csrf} />
        <button type="submit" className="button button--primary">
          {t('signOut.button')}
        </button>
      </Form>
    </article>
  )
}
