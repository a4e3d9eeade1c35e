import { createContext, useContext } from 'react'

/** The per-request CSP nonce, handed from the HTTP server to every inline script. */
const NonceContext = createContext('')

export const NonceProvider = NonceContext.Provider

export function useNonce() {
  return useContext(NonceContext)
}
