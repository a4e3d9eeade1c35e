import type pg from 'pg'
import { categoryBit } from '../exposure-categories'
import type { CardWriteCounts } from '../import/card-writer'
import type { PreparedCard } from '../import/prepare'
import { advanceIdentity, copyRows, inChunkTransaction, stagingTable } from './import-copy'

/**
 * Imported stored cards written to PostgreSQL, a chunk at a time, with the
 * same rows and counts as the SQLite writer (import/card-writer.ts): a card
 * goes to the member with its member ID, once (the first of a card twice in
 * the chunk, unless already stored), and marks the card category exposed.
 */

const CARD_BIT = categoryBit('card')
const STAGING = 'import_cards'
const STAGED_COLUMNS = ['position', 'id', 'member_id_index', 'card_index', 'card_sealed']
const STAGING_TABLE = stagingTable(
  STAGING,
  `position integer not null, id bigint not null, member_id_index bytea not null,
  card_index bytea not null, card_sealed bytea not null`,
)

// Every card with its member (none when the member ID is unknown), the new ones inserted. A member
// already marked is not updated again: an update writes a new version of the row and of its indexes.
const WRITE_CARDS = `
  with matched as (
    select c.position, c.id, m.id as subject_id, c.card_index, c.card_sealed
    from ${STAGING} c left join subjects m on m.cohort = 'member' and m.natural_id_index = c.member_id_index),
  inserted as (
    insert into stored_cards (id, subject_id, card_index, card_sealed)
    select distinct on (subject_id, card_index) id, subject_id, card_index, card_sealed
    from matched where subject_id is not null order by subject_id, card_index, position
    on conflict (subject_id, card_index) do nothing
    returning id, subject_id),
  exposed as (
    update subjects set exposed_categories = exposed_categories | ${CARD_BIT}
    where id in (select subject_id from inserted) and exposed_categories & ${CARD_BIT} = 0)
  select (select count(*) from inserted) as inserted,
    (select coalesce(max(id), 0) from inserted) as "highestId",
    array(select position from matched where subject_id is null order by position) as "unknownMember"`

export function createPostgresCardWriter(pool: pg.Pool) {
  /** Returns the counts, and the positions in the batch of cards whose member is unknown. */
  const writeBatch = async (batch: PreparedCard[]): Promise<CardWriteCounts> => {
    if (batch.length === 0) return { inserted: 0, updated: 0, unchanged: 0, unknownMember: [] }
    return inChunkTransaction(pool, STAGING_TABLE, async (client) => {
      await copyRows(
        client,
        STAGING,
        STAGED_COLUMNS,
        batch.map((card, position) => [
          position,
          card.id,
          card.memberIdIndex,
          card.cardIndex,
          card.cardSealed,
        ]),
      )
      const { rows } = await client.query<{ inserted: number; highestId: number; unknownMember: number[] }>(
        WRITE_CARDS,
      )
      const written = rows[0] as (typeof rows)[number]
      const inserted = Number(written.inserted)
      if (inserted > 0) await advanceIdentity(client, 'stored_cards', Number(written.highestId))
      const unknownMember = written.unknownMember.map(Number)
      return {
        inserted,
        updated: 0,
        unchanged: batch.length - unknownMember.length - inserted,
        unknownMember,
      }
    })
  }
  return { writeBatch }
}
