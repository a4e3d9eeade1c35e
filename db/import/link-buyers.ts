import type { SqliteDatabase } from '../client'

/**
 * An auction buyer and a member who share a phone number are one human: the
 * buyer takes the member's human ID (the lowest, where several match).
 *
 * One pass over the members grouped by phone, joined to the buyers: a
 * correlated subquery per buyer let SQLite's planner pick the
 * (cohort, human_id) index and scan every member for every buyer, which at
 * a million members never finished.
 */
export const LINK_BUYERS_TO_MEMBERS = `
  update subjects as buyer set human_id = linked.human_id
  from (select phone_index, min(human_id) as human_id from subjects
        where cohort = 'member' and phone_index is not null group by phone_index) as linked
  where buyer.cohort = 'auction_buyer' and buyer.phone_index = linked.phone_index
    and buyer.human_id <> linked.human_id`

export function linkBuyersToMembers(db: SqliteDatabase) {
  const sqlite = db.$client
  const link = sqlite.prepare(LINK_BUYERS_TO_MEMBERS)
  return sqlite.transaction(() => link.run().changes).immediate()
}
