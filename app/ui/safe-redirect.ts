const BASE = 'http://portal.invalid'

/**
 * A redirect target from user input, kept on this site: anything that would
 * leave it falls back to `fallback`. The target is read the way a browser
 * will read the Location header (backslashes as slashes, tabs and newlines
 * dropped, dot segments resolved, `%2e` too), so `/.//evil.example`, which
 * resolves to `//evil.example`, is caught as well as `//evil.example` itself.
 */
export function safeRedirect(target: unknown, fallback = '/') {
  if (typeof target !== 'string' || !target.startsWith('/')) return fallback
  try {
    const url = new URL(target, BASE)
    if (url.origin !== BASE) return fallback
    const path = `${url.pathname}${url.search}${url.hash}`
    // A normalised path that still begins with `//` names another host; any path must
    // come back to the same URL when the browser resolves it in turn.
    if (path.startsWith('//') || new URL(path, BASE).href !== url.href) return fallback
    return path
  } catch {
    return fallback
  }
}
