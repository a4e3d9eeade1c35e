import { Form, Link } from '@remix-run/react'
import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import type { AddedPerson, PersonChange, PersonToChange } from '~/staff/staff-people.server'
import { CsrfField } from '~/ui/csrf-field'

/** What the page's action answers, each shown by one of the views below or above the list. */
export type PeopleResult =
  | { kind: 'created'; created: Extract<AddedPerson, { ok: true }>['created'] }
  | { kind: 'confirm'; change: PersonChange; person: PersonToChange }
  | { kind: 'done'; change: PersonChange; outcome: 'done' | 'unchanged'; name: string }
  | { kind: 'refused'; reason: 'self' | 'unknown' | 'badRequest' | 'noPasskey' }
  | {
      kind: 'invalid'
      errors: Partial<Record<'email' | 'name' | 'role', string>>
      values: Record<'email' | 'name' | 'role', string>
    }

/**
 * A heading that takes the focus when it replaces the view after a post with
 * JavaScript (without it, the new page starts at the top anyway), so a
 * screen reader hears where the button led instead of losing its place.
 */
export function ViewHeading({ children }: { children: string }) {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [])
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  )
}

function MemberDetails({ person }: { person: PersonToChange }) {
  const { t } = useTranslation('staff')
  return (
    <dl className="member-details">
      <div>
        <dt>{t('people.details.name')}</dt>
        <dd>{person.name}</dd>
      </div>
      <div>
        <dt>{t('people.details.email')}</dt>
        <dd>{person.email}</dd>
      </div>
      <div>
        <dt>{t('people.details.role')}</dt>
        <dd>{t(`people.roles.${person.role}`)}</dd>
      </div>
      <div>
        <dt>{t('people.details.id')}</dt>
        <dd>
          <code>{person.id}</code>
        </dd>
      </div>
    </dl>
  )
}

/** The new account and its enrolment password, shown this once: the page keeps no copy of it. */
export function CreatedMember({
  created,
}: {
  created: Extract<PeopleResult, { kind: 'created' }>['created']
}) {
  const { t } = useTranslation('staff')
  return (
    <article className="prose people">
      <ViewHeading>{t('people.created.heading')}</ViewHeading>
      <MemberDetails person={created} />
      <section className="callout enrolment-password" aria-labelledby="enrolment-password-heading">
        <h2 id="enrolment-password-heading">{t('people.created.passwordHeading')}</h2>
        <p className="enrolment-password__value">
          <code>{created.enrolmentPassword}</code>
        </p>
        <p>
          <strong>{t('people.created.passwordOnce')}</strong>
        </p>
        <p>{t('people.created.validUntil', { expiresAt: created.expiresAt })}</p>
        <p>{t('people.created.handOver')}</p>
      </section>
      <p className="link-row">
        <Link to="/staff/people">{t('people.created.back')}</Link>
      </p>
    </article>
  )
}

/** The second step of a disable or reset: who, what it does, and the button that does it. */
export function ConfirmChange({
  csrf,
  change,
  person,
}: {
  csrf: string
  change: PersonChange
  person: PersonToChange
}) {
  const { t } = useTranslation('staff')
  return (
    <article className="prose people">
      <ViewHeading>{t(`people.confirm.${change}.heading`)}</ViewHeading>
      <MemberDetails person={person} />
      <p>{t(`people.confirm.${change}.body`)}</p>
      <Form method="post" action="/staff/people" className="confirm-change">
        <CsrfField token={csrf} />
        <input type="hidden" name="intent" value={change} />
        <input type="hidden" name="staffId" value={person.id} />
        <input type="hidden" name="confirmed" value="yes" />
        <button type="submit" className="button button--danger">
          {t(`people.confirm.${change}.submit`)}
        </button>
      </Form>
      <p className="link-row">
        <Link to="/staff/people">{t('people.confirm.cancel')}</Link>
      </p>
    </article>
  )
}

/** Above the list: what the last post did, or why it did not. */
export function ResultNotice({ result }: { result: PeopleResult }) {
  const { t } = useTranslation('staff')
  switch (result.kind) {
    case 'done': {
      const key = result.outcome === 'done' ? result.change : `${result.change}Unchanged`
      return (
        <p className="callout callout--done" role="status">
          {t(`people.done.${key}`, { name: result.name })}
        </p>
      )
    }
    case 'refused':
      return (
        <p className="callout callout--error" role="alert">
          {t(`people.refused.${result.reason}`)}
        </p>
      )
    case 'invalid': {
      const fields = (['email', 'name', 'role'] as const).filter((field) => result.errors[field])
      if (fields.length === 0) return null
      return (
        <div className="callout callout--error" role="alert">
          <strong>{t('people.add.errorsHeading')}</strong>
          <ul>
            {fields.map((field) => (
              <li key={field}>
                <a href={field === 'role' ? '#role-agent' : `#${field}`}>
                  {t(`people.add.errors.${result.errors[field]}`)}
                </a>
              </li>
            ))}
          </ul>
        </div>
      )
    }
    default:
      return null
  }
}
