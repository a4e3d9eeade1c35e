const BASE = 'http://portal.invalid'

/**
 * A redirect target from user input, kept on this site: anything that would
 * leave it (`//evil.example`, `/\evil`, `https://…`) falls back to `fallback`.
 */
export function safeRedirect(target: unknown, fallback = '/') {
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//')) {
    return fallback
  }
  try {
    const url = new URL(target, BASE)
    if (url.origin !== BASE) return fallback
    return `${url.pathname}${url.search}${url.hash}`
  } catch {
    return fallback
  }
}
