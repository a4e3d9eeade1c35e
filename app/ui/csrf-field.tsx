/**
 * The CSRF token every state-changing form carries (see app/session/csrf.server.ts,
 * which checks the field of this name against the visitor's CSRF cookie).
 */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="csrf" value={token} />
}
