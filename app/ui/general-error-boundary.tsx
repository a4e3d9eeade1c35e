import { isRouteErrorResponse, Link, useRouteError } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import { FormExpiredPage, isFormExpired, isSessionEnded, SessionEndedPage } from '~/ui/session-ended-page'
import { isStorageFullData } from '~/ui/storage-full-data'
import { SupportContact } from '~/ui/support-contact'

export type ErrorKind = 'notFound' | 'badRequest' | 'clientError' | 'serverError' | 'storageFull'

export function describeError(error: unknown): { status: number; kind: ErrorKind } {
  const status = isRouteErrorResponse(error) ? error.status : 500
  // The disk is full: nothing was saved, and trying again later will work.
  if (isRouteErrorResponse(error) && isStorageFullData(error.data)) return { status, kind: 'storageFull' }
  if (status === 404) return { status, kind: 'notFound' }
  if (status === 400 || status === 422) return { status, kind: 'badRequest' }
  if (status < 500) return { status, kind: 'clientError' }
  return { status, kind: 'serverError' }
}

/**
 * What a reader sees when something goes wrong: a localised explanation and a
 * way back, never the error's own text or stack.
 */
export function GeneralErrorBoundary() {
  const error = useRouteError()
  // A personal page whose session ended, a form whose token expired: pages of their own.
  const data: unknown = isRouteErrorResponse(error) ? error.data : undefined
  if (isSessionEnded(data)) return <SessionEndedPage {...data} />
  if (isFormExpired(data)) return <FormExpiredPage {...data} />
  return <ErrorPage {...describeError(error)} />
}

export function ErrorPage({ status, kind }: { status: number; kind: ErrorKind }) {
  const { t } = useTranslation()
  return (
    <section className="error-page" aria-labelledby="error-title">
      <h1 id="error-title">{t(`errors.${kind}.title`)}</h1>
      <p>{t(`errors.${kind}.body`)}</p>
      <p className="error-page__status">{t('errors.status', { status })}</p>
      <p className="link-row">
        <Link to="/">{t('errors.backHome')}</Link>
      </p>
      <SupportContact />
    </section>
  )
}

/** The document title while an error page shows, since no route's meta ran. */
export function ErrorDocumentTitle() {
  const error = useRouteError()
  const { t } = useTranslation()
  if (error == null) return null
  const data: unknown = isRouteErrorResponse(error) ? error.data : undefined
  const title = isSessionEnded(data)
    ? t(`sessionEnded.${data.sessionEnded.ended ? 'ended' : 'notYet'}.title`)
    : isFormExpired(data)
      ? t('formExpired.title')
      : t(`errors.${describeError(error).kind}.title`)
  return <title>{`${title} | ${t('layout.siteName')}`}</title>
}
