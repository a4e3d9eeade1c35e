import { i18nFor, requestLanguage } from './i18next.server'
import type { Namespace } from './resources.server'

export type PageMeta = { title: string; description: string }

/**
 * A page's localised title and description, read from `meta.title` and
 * `meta.description` of its namespace.
 */
export async function getPageMeta(request: Request, namespace: Namespace): Promise<PageMeta> {
  const t = i18nFor(await requestLanguage(request)).getFixedT(null, [namespace, 'common'])
  return {
    title: `${t(`${namespace}:meta.title`)} | ${t('common:layout.siteName')}`,
    description: t(`${namespace}:meta.description`),
  }
}

/** The same for one page of a namespace several pages share: `meta` under `prefix`. */
export async function getSubPageMeta(
  request: Request,
  namespace: Namespace,
  prefix: string,
): Promise<PageMeta> {
  const t = i18nFor(await requestLanguage(request)).getFixedT(null, [namespace, 'common'])
  return {
    title: `${t(`${namespace}:${prefix}.meta.title`)} | ${t('common:layout.siteName')}`,
    description: t(`${namespace}:${prefix}.meta.description`),
  }
}

/** The title and description of the 404 page, from `common:errors.notFound`. */
export async function getNotFoundMeta(request: Request): Promise<PageMeta> {
  const t = i18nFor(await requestLanguage(request)).getFixedT(null, 'common')
  return {
    title: `${t('errors.notFound.title')} | ${t('layout.siteName')}`,
    description: t('errors.notFound.body'),
  }
}
