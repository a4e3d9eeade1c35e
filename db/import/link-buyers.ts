import type { PortalDatabase } from '../client'

/**
 * An auction buyer and a member who share a phone number are one human: the
 * buyer takes the member's human ID (the lowest, where several match).
 */
export function linkBuyersToMembers(db: PortalDatabase) {
  const sqlite = db.$client
  const link = sqlite.prepare(`
    update subjects as buyer set human_id = (
      select min(member.human_id) from subjects as member
      where member.cohort = 'member' and member.phone_index = buyer.phone_index)
    where buyer.cohort = 'auction_buyer' and buyer.phone_index is not null
      and exists (select 1 from subjects as member
        where member.cohort = 'member' and member.phone_index = buyer.phone_index
          and member.human_id <> buyer.human_id)`)
  return sqlite.transaction(() => link.run().changes).immediate()
}
