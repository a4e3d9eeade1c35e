import type { ReactNode } from 'react'

/**
 * A mailto link that shows the address itself (so it can be read, copied and
 * printed), unless a translation supplies the text. Long addresses wrap.
 */
export function MailLink({ address, children }: { address: string; children?: ReactNode }) {
  return (
    <a href={`mailto:${address}`} className="mail-link">
      {children ?? address}
    </a>
  )
}
