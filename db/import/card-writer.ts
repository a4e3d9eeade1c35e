import type { SqliteDatabase } from '../client'
import { categoryBit } from '../exposure-categories'
import type { PreparedCard } from './prepare'
import type { WriteCounts } from './subject-versions'

/** Writing imported stored cards to their members, marking the card category exposed. */

const CARD_BIT = categoryBit('card')

export type CardWriteCounts = WriteCounts & { unknownMember: number[] }

export function createCardWriter(db: SqliteDatabase) {
  const sqlite = db.$client
  const member = sqlite
    .prepare("select id from subjects where cohort = 'member' and natural_id_index = ?")
    .pluck()
  const insert = sqlite.prepare(`
    insert into stored_cards (id, subject_id, card_index, card_sealed) values (?, ?, ?, ?)
    on conflict (subject_id, card_index) do nothing`)
  const markExposed = sqlite.prepare(
    `update subjects set exposed_categories = exposed_categories | ${CARD_BIT} where id = ?`,
  )

  /** Returns the counts, and the positions in the batch of cards whose member is unknown. */
  const writeBatch = sqlite.transaction((batch: PreparedCard[]): CardWriteCounts => {
    const counts: CardWriteCounts = { inserted: 0, updated: 0, unchanged: 0, unknownMember: [] }
    batch.forEach((card, position) => {
      const subjectId = member.get(card.memberIdIndex) as number | undefined
      if (subjectId === undefined) {
        counts.unknownMember.push(position)
        return
      }
      if (insert.run(card.id, subjectId, card.cardIndex, card.cardSealed).changes === 1) {
        markExposed.run(subjectId)
        counts.inserted++
      } else {
        counts.unchanged++
      }
    })
    return counts
  })

  return { writeBatch: (batch: PreparedCard[]) => writeBatch.immediate(batch) }
}
