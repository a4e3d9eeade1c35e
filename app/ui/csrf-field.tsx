/**
 * The CSRF token every state-changing form carries (see app/session/csrf.server.ts,
 * which checks the field of this name against the visitor's CSRF cookie).
 */
export function CsrfField({ token, form = 'page' }: { token: string; form?: 'page' | 'language' }) {
  return <input type="hidden" name={form === 'page' ? 'csrf' : 'csrf-language'} value={token} />
}
