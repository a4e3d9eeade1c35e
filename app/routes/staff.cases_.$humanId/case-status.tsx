import { Trans, useTranslation } from 'react-i18next'
import type { CaseView } from '~/staff/case-view.server'
import { Moment } from '~/staff/moment'

/**
 * Where the case stands now: the notice and its letter code, the member's
 * steps, a call-back confirmation waiting, sessions open.
 */
export function CaseStatus({ status }: { status: CaseView['status'] }) {
  const { t } = useTranslation('staff')
  const { notice, members, openSessions, identityConfirmedUntil } = status
  const letterCode = !notice
    ? 'none'
    : notice.letterCodeLockedAt !== null
      ? 'locked'
      : notice.letterCodeAlive
        ? 'alive'
        : 'dead'
  return (
    <section aria-labelledby="case-status-heading">
      <h2 id="case-status-heading">{t('caseView.status.heading')}</h2>
      <dl className="case-status">
        <div>
          <dt>{t('caseView.status.notice')}</dt>
          <dd>
            {notice ? (
              <>
                {t(`caseView.channels.${notice.channel}`)} (<Moment at={notice.at} />)
              </>
            ) : (
              t('caseView.status.noNotice')
            )}
          </dd>
        </div>
        <div>
          <dt>{t('caseView.status.letterCode')}</dt>
          <dd>
            {t(`caseView.status.letterCodeStates.${letterCode}`, {
              failures: notice?.letterCodeFailures ?? 0,
            })}
          </dd>
        </div>
        {members.map((member) => (
          <div key={member.subjectId}>
            <dt>{t('caseView.status.member')}</dt>
            <dd>
              {member.readyAt !== null
                ? t('caseView.status.ready')
                : member.openActions.length > 0
                  ? t('caseView.status.openActions', {
                      actions: member.openActions
                        .map((action) => t(`caseView.requiredActions.${action}`))
                        .join(t('caseView.listSeparator')),
                    })
                  : t('caseView.status.notReady')}
            </dd>
          </div>
        ))}
        <div>
          <dt>{t('caseView.status.callBack')}</dt>
          <dd>
            {identityConfirmedUntil !== null ? (
              <Trans
                t={t}
                i18nKey="caseView.status.callBackActive"
                components={{ until: <Moment at={identityConfirmedUntil} /> }}
              />
            ) : (
              t('caseView.status.callBackNone')
            )}
          </dd>
        </div>
        <div>
          <dt>{t('caseView.status.sessions')}</dt>
          <dd>{t('caseView.status.sessionsOpen', { count: openSessions.count })}</dd>
        </div>
      </dl>
    </section>
  )
}
