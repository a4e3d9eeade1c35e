import { RemixBrowser } from '@remix-run/react'
import i18next from 'i18next'
import LanguageDetector from 'i18next-browser-languagedetector'
import Backend from 'i18next-http-backend'
import { StrictMode, startTransition } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { I18nextProvider, initReactI18next } from 'react-i18next'
import { getInitialNamespaces } from 'remix-i18next/client'
import { i18nConfig } from './i18n/config'

async function hydrate() {
  await i18next
    .use(initReactI18next)
    .use(LanguageDetector)
    .use(Backend)
    .init({
      ...i18nConfig,
      ns: getInitialNamespaces(),
      // A client navigation waits (inside Remix's transition) for the next page's namespaces,
      // instead of showing raw keys until they arrive.
      react: { useSuspense: true },
      backend: {
        loadPath: '/locales/{{lng}}/{{ns}}.json',
        // The build's version in the URL lets the browser cache translations until the next deploy.
        queryStringParams: { v: window.__remixManifest.version },
      },
      // The server already chose the language and wrote it into <html lang>.
      detection: { order: ['htmlTag'], caches: [] },
    })

  startTransition(() => {
    hydrateRoot(
      document,
      <I18nextProvider i18n={i18next}>
        <StrictMode>
          <RemixBrowser />
        </StrictMode>
      </I18nextProvider>,
    )
  })
}

hydrate().catch((error: unknown) => console.error(error))
