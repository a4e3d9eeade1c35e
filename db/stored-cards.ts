import { type PortalDatabase, prepared } from './database'
import { type Keyring, unsealJson } from './seal'
import { cardContext, type StoredCardValue } from './subject-record'

// Under the SQL column names the hand-written selects return (one joined from subjects), not `StoredCard`'s.
type CardRow = { id: number; card_sealed: Buffer }

/**
 * The cards a member had stored (last four digits and expiry `MM/YY`), opened,
 * in the order they were imported. Cards the member removed since are still
 * returned unless `currentOnly`: they were in the data when it was accessed.
 */
export async function findStoredCards(
  db: PortalDatabase,
  keyring: Keyring,
  subjectId: number,
  { currentOnly = false }: { currentOnly?: boolean } = {},
): Promise<StoredCardValue[]> {
  const rows = await prepared<CardRow>(
    db,
    `
      select c.id, c.card_sealed
      from stored_cards c join subjects s on s.id = c.subject_id
      where c.subject_id = ? and s.cohort = 'member' ${currentOnly ? 'and c.removed_at is null' : ''}
      order by c.id`,
  ).all(subjectId)
  return rows.map((row) => {
    const { last4, expiry } = unsealJson<StoredCardValue>({
      keyring,
      context: cardContext(row.id),
      sealed: row.card_sealed,
    })
    return { last4, expiry }
  })
}

export type CurrentCard = StoredCardValue & { id: number }

/** The cards a member still has saved, with the row IDs the form refers to them by. */
export async function findCurrentCards(
  db: PortalDatabase,
  keyring: Keyring,
  subjectId: number,
): Promise<CurrentCard[]> {
  const rows = await prepared<CardRow>(
    db,
    `
      select c.id, c.card_sealed
      from stored_cards c join subjects s on s.id = c.subject_id
      where c.subject_id = ? and s.cohort = 'member' and c.removed_at is null
      order by c.id`,
  ).all(subjectId)
  return rows.map((row) => {
    const { last4, expiry } = unsealJson<StoredCardValue>({
      keyring,
      context: cardContext(row.id),
      sealed: row.card_sealed,
    })
    return { id: row.id, last4, expiry }
  })
}

/** The member no longer wants these cards saved. The rows stay: the cards were in the data that was accessed. */
export async function removeStoredCards(
  db: PortalDatabase,
  { subjectId, cardIds, now }: { subjectId: number; cardIds: readonly number[]; now: number },
) {
  const remove = prepared(
    db,
    'update stored_cards set removed_at = ? where id = ? and subject_id = ? and removed_at is null',
  )
  for (const id of cardIds) await remove.run(now, id, subjectId)
}
