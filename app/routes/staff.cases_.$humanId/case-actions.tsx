import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import type { CaseView } from '~/staff/case-view.server'
import { CsrfField } from '~/ui/csrf-field'
import { FieldFrame } from '~/ui/text-field'

/**
 * What staff can do on the case, each form saying what it will do. The notice
 * goes again only to where the first went: the form has no field for an
 * address. Nothing here changes a contact point or a password.
 */
export function CaseActions({
  csrf,
  status,
  noteError,
}: {
  csrf: string
  status: CaseView['status']
  noteError?: string
}) {
  const { t } = useTranslation('staff')
  const locked = status.notice?.letterCodeLockedAt != null
  return (
    <section aria-labelledby="case-actions-heading">
      <h2 id="case-actions-heading">{t('caseView.actions.heading')}</h2>
      {status.notice?.state === 'issued' ? (
        <Form method="post" className="case-action">
          <CsrfField token={csrf} />
          <p>{t(`caseView.actions.resendExplained.${status.notice.channel}`)}</p>
          <button type="submit" name="intent" value="resend-notice" className="button button--secondary">
            {t('caseView.actions.resend')}
          </button>
        </Form>
      ) : null}
      {locked ? (
        <Form method="post" className="case-action">
          <CsrfField token={csrf} />
          <p>{t('caseView.actions.unlockExplained')}</p>
          <button type="submit" name="intent" value="unlock-letter-code" className="button button--secondary">
            {t('caseView.actions.unlock')}
          </button>
        </Form>
      ) : null}
      {status.openSessions.count > 0 ? (
        <Form method="post" className="case-action">
          <CsrfField token={csrf} />
          <p>{t('caseView.actions.endSessionsExplained', { count: status.openSessions.count })}</p>
          <button type="submit" name="intent" value="end-sessions" className="button button--secondary">
            {t('caseView.actions.endSessions')}
          </button>
        </Form>
      ) : null}
      <Form method="post" className="case-action case-note" autoComplete="off">
        <CsrfField token={csrf} />
        <FieldFrame
          id="case-note"
          label={t('caseView.actions.noteLabel')}
          hint={t('caseView.actions.noteHint')}
          error={noteError ? t(`caseView.actions.errors.${noteError}`) : undefined}
        >
          {(described) => <textarea id="case-note" name="note" maxLength={2000} rows={3} {...described} />}
        </FieldFrame>
        <button type="submit" name="intent" value="add-note" className="button button--secondary">
          {t('caseView.actions.addNote')}
        </button>
      </Form>
    </section>
  )
}
