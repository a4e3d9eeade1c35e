import { Link } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import type { CaseEvent } from '~/staff/case-view.server'
import { Moment } from '~/staff/moment'

/**
 * Everything that happened, newest first, Japan time: an ordered list, so a
 * screen reader says how long it is; each line says when, what, and which
 * staff member did it.
 */
export function CaseTimeline({ events }: { events: CaseEvent[] }) {
  const { t, i18n } = useTranslation('staff')
  // Japanese runs its parts together; English puts a space between them.
  const gap = i18n.language === 'ja' ? '' : ' '
  return (
    <section aria-labelledby="case-timeline-heading">
      <h2 id="case-timeline-heading">{t('caseView.timeline.heading')}</h2>
      {events.length === 0 ? <p>{t('caseView.timeline.none')}</p> : null}
      <ol className="case-timeline">
        {events.map((event, position) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: events of one moment have nothing else to tell them apart
          <li key={position} className={event.outcome === 'denied' ? 'case-timeline__denied' : undefined}>
            <Moment at={event.at} />{' '}
            <span>
              {event.href ? <Link to={event.href}>{eventText(t, event)}</Link> : eventText(t, event)}
            </span>
            {typeof event.values.times === 'number' ? (
              <span>
                {gap}
                {t('caseView.timeline.times', { count: event.values.times })}
              </span>
            ) : null}
            {event.staffId ? (
              <span className="case-timeline__staff">
                {' '}
                {t('caseView.timeline.by', { staffId: event.staffId })}
              </span>
            ) : null}
            {event.outcome === 'denied' ? (
              <strong>
                {gap}
                {t('caseView.timeline.denied')}
              </strong>
            ) : null}
            {event.outcome === 'failure' ? (
              // An action tried and not done (over a limit, nothing to do): never to be read as done.
              <strong>
                {gap}
                {typeof event.values.reason === 'string'
                  ? t('caseView.timeline.failedBecause', translatedValues(t, { reason: event.values.reason }))
                  : t('caseView.timeline.failed')}
              </strong>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  )
}

function eventText(t: (key: string, options?: Record<string, unknown>) => string, event: CaseEvent) {
  return t(`caseView.events.${event.event}`, {
    ...translatedValues(t, event.values),
    defaultValue: event.event,
  })
}

/** The values that are words of a vocabulary (a channel, a reason), shown translated; the rest as they are. */
const WORDS = new Set(['channel', 'delivery', 'field', 'reason', 'budget', 'status'])

function translatedValues(
  t: (key: string, options?: { defaultValue: string }) => string,
  values: CaseEvent['values'],
) {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      typeof value === 'string' && WORDS.has(key)
        ? t(`caseView.tokens.${key}.${value}`, { defaultValue: value })
        : value,
    ]),
  )
}
