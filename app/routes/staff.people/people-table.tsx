import { Form } from '@remix-run/react'
import { useTranslation } from 'react-i18next'
import type { PersonChange, PersonRow } from '~/staff/staff-people.server'
import { CsrfField } from '~/ui/csrf-field'

/**
 * Every staff account: a table on a wide screen, a card of labelled lines on
 * a phone (staff-people.css), from the same markup. Each other member's row
 * has a button per change, each its own form, which only asks to confirm.
 */
export function PeopleTable({ people, csrf }: { people: PersonRow[]; csrf: string }) {
  const { t } = useTranslation('staff')
  const column = (name: string) => t(`people.columns.${name}`)
  return (
    <table className="people-table">
      <thead>
        <tr>
          {['name', 'email', 'role', 'state', 'factors', 'created', 'actions'].map((name) => (
            <th key={name} scope="col">
              {column(name)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {people.map((person) => (
          <tr key={person.id}>
            {/* Each cell names its column, for the cards of a phone. */}
            <th scope="row" data-label={column('name')}>
              {person.name}
            </th>
            <td data-label={column('email')}>{person.email}</td>
            <td data-label={column('role')}>{t(`people.roles.${person.role}`)}</td>
            <td data-label={column('state')}>{t(`people.states.${person.state}`)}</td>
            <td data-label={column('factors')}>
              <SecondFactors person={person} />
            </td>
            <td data-label={column('created')}>{person.created}</td>
            <td data-label={column('actions')}>
              <RowActions person={person} csrf={csrf} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The factors in use, in the reader's language (`secondFactors` words them for the command). */
function SecondFactors({ person }: { person: PersonRow }) {
  const { t } = useTranslation('staff')
  const factors = [
    ...(person.passkeys > 0 ? [t('people.factors.passkeys', { count: person.passkeys })] : []),
    ...(person.totp ? [t('people.factors.app')] : []),
  ]
  const rule = person.passkeysRequired ? ` (${t('people.factors.passkeysOnly')})` : ''
  return (
    <>
      {factors.length > 0 ? factors.join(t('people.factors.separator')) : t('people.factors.none')}
      {rule}
    </>
  )
}

function RowActions({ person, csrf }: { person: PersonRow; csrf: string }) {
  const { t } = useTranslation('staff')
  if (person.self) return <>{t('people.you')}</>
  // A disabled account cannot sign in: there is nothing left to end or reset.
  if (person.state === 'disabled') return <>{t('people.noActions')}</>
  const button = (change: PersonChange, label: string) => (
    <Form method="post" action="/staff/people">
      <CsrfField token={csrf} announce={false} />
      <input type="hidden" name="intent" value={change} />
      <input type="hidden" name="staffId" value={person.id} />
      <button type="submit" className="button button--secondary button--small">
        {label}
        <span className="visually-hidden">{t('people.memberLabel', { name: person.name })}</span>
      </button>
    </Form>
  )
  return (
    <div className="row-actions">
      {button('disable', t('people.disable'))}
      {button('reset-mfa', t('people.resetMfa'))}
      {/* Passkeys only is offered once the member has one: before that it would leave them nothing but recovery codes. */}
      {person.passkeysRequired
        ? button('allow-app-codes', t('people.allowAppCodes'))
        : person.passkeys > 0
          ? button('require-passkeys', t('people.requirePasskeys'))
          : null}
    </div>
  )
}
