import { Trans, useTranslation } from 'react-i18next'

/**
 * A translation that may quote Japanese inside English, marked `<ja>…</ja>` so
 * screen readers switch voice (e.g. the store's name セカイモン ヤフオク!店).
 */
export function RichText({ i18nKey, values }: { i18nKey: string; values?: Record<string, string> }) {
  const { t } = useTranslation('incident')
  return <Trans t={t} i18nKey={i18nKey} values={values} components={{ ja: <span lang="ja" /> }} />
}
