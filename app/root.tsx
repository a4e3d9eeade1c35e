import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import {
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  type ShouldRevalidateFunction,
  useLoaderData,
} from '@remix-run/react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { useChangeLanguage } from 'remix-i18next/react'
import { resolveLanguage } from './i18n/language.server'
import { useNonce } from './server/nonce'
import { csrfToken } from './session/csrf.server'
import stylesheet from './styles/app.css'
import { ErrorDocumentTitle, GeneralErrorBoundary } from './ui/general-error-boundary'
import { SiteFooter } from './ui/site-footer'
import { SiteHeader } from './ui/site-header'

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
]

export const handle = { i18n: ['common'] }

export async function loader({ request }: LoaderFunctionArgs) {
  const { language, headers } = await resolveLanguage(request)
  // The language switcher in every page's header is a form too, with a token for it alone.
  const csrf = await csrfToken(request, 'language')
  if (csrf.setCookie) headers.append('Set-Cookie', csrf.setCookie)
  return data({ language, csrf: csrf.token }, { headers })
}

/**
 * After a refused post the page's loaders do not run again, but a form sent
 * back for an expired token came with a new CSRF cookie: the switcher's token
 * must be signed for that one too.
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionResult, defaultShouldRevalidate }) =>
  typeof actionResult === 'object' && actionResult !== null && 'formExpiredToken' in actionResult
    ? true
    : defaultShouldRevalidate

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce()
  const { t, i18n } = useTranslation()
  return (
    <html lang={i18n.language} dir={i18n.dir()}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <Meta />
        <ErrorDocumentTitle />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t('layout.skipToContent')}
        </a>
        <SiteHeader />
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <SiteFooter />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  )
}

export default function App() {
  const { language } = useLoaderData<typeof loader>()
  useChangeLanguage(language)
  return <Outlet />
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />
}
