import { RemixBrowser } from '@remix-run/react'
import i18next from 'i18next'
import LanguageDetector from 'i18next-browser-languagedetector'
import Backend from 'i18next-http-backend'
import { StrictMode, startTransition } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { I18nextProvider, initReactI18next } from 'react-i18next'
import { getInitialNamespaces } from 'remix-i18next/client'
import { i18nConfig } from './i18n/config'

/**
 * With single fetch, RemixBrowser suspends on its first render while it decodes the
 * server's payload, and React 18 cannot finish a root that suspends while it hydrates
 * in a hurry: a key press or a click in that window makes it hydrate synchronously,
 * fail, and throw its error 345 (a worried reader typing as the page loads did this).
 * RemixBrowser throws its decoding promise before any hook, so calling it once before
 * hydrating starts the decoding, and hydration then never suspends.
 */
async function decodeServerState() {
  try {
    RemixBrowser({})
  } catch (thrown) {
    if (thrown instanceof Promise) await thrown
  }
}

async function hydrate() {
  const decoded = decodeServerState()
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
  await decoded

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
