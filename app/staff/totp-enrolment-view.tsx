import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import type { TotpOffer } from '~/staff/staff-totp.server'

/**
 * The enrolment of an authenticator app: the QR code (drawn on the server, so
 * no script is needed), the same key as text for an app on the same phone,
 * and the `otpauth://` URI for password managers that take one.
 */
export function TotpEnrolment({ offer }: { offer: TotpOffer }) {
  const { t } = useTranslation('staff')
  return (
    <section className="totp-enrolment" aria-labelledby="totp-steps">
      <h2 id="totp-steps">{t('mfa.enrol.stepsHeading')}</h2>
      <ol>
        <li>{t('mfa.enrol.stepInstall')}</li>
        <li>{t('mfa.enrol.stepScan')}</li>
        <li>{t('mfa.enrol.stepConfirm')}</li>
      </ol>
      <div className="totp-enrolment__pair">
        <div
          className="totp-enrolment__qr"
          role="img"
          aria-label={t('mfa.enrol.qrLabel')}
          // Our own SVG, drawn by the QR library from our own URI: no markup of anyone else's.
          // biome-ignore lint/security/noDangerouslySetInnerHtml: server-drawn QR code of our own URI
          dangerouslySetInnerHTML={{ __html: offer.qrSvg }}
        />
        <div>
          <p>{t('mfa.enrol.keyIntro')}</p>
          <p className="totp-enrolment__key">
            <code translate="no">{offer.keyText}</code>
          </p>
          <details>
            <summary>{t('mfa.enrol.uriSummary')}</summary>
            <p className="totp-enrolment__uri">
              <code translate="no">{offer.uri}</code>
            </p>
          </details>
        </div>
      </div>
    </section>
  )
}

/** The ten recovery codes, shown once: what they are for, and where to keep them. */
export function RecoveryCodes({ codes, next }: { codes: string[]; next: string }) {
  const { t } = useTranslation('staff')
  return (
    <article className="prose check">
      <h1>{t('mfa.recovery.heading')}</h1>
      <p className="callout">{t('mfa.recovery.intro', { count: codes.length })}</p>
      <ol className="recovery-codes" translate="no">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <p>{t('mfa.recovery.keep')}</p>
      <p>
        {t('mfa.recovery.passkeyNext')} <Link to="/staff/passkeys">{t('mfa.recovery.passkeyLink')}</Link>
      </p>
      <p>
        <Link to={next} className="button button--primary">
          {t('mfa.recovery.continue')}
        </Link>
      </p>
    </article>
  )
}
