import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { staffDashboard } from '~/staff/staff-dashboard.server'
import { importFiles } from '~db/import/import-files'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { BUYER_COLUMNS, exportDirectory, MEMBER_COLUMNS, member, writeCsv } from '../support/export-files'
import { importedDatabase, type TempDatabase } from '../support/temp-database'

/**
 * The console's people per cohort are kept between page loads (counting
 * them reads every subject), and are counted again as soon as an import has
 * changed who is in the data: new records, or a buyer linked to a member.
 */

let temp: TempDatabase
beforeEach(async () => {
  temp = await importedDatabase('dashboard-people-', {
    'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M1', phone: '090-1111-0001' })],
  })
})
afterEach(() => temp.remove())

const people = async () => {
  const { cohorts, humans } = await staffDashboard({ db: sqlitePortalDatabase(temp.db), language: 'en' })
  return { humans, ...Object.fromEntries(cohorts.map((row) => [row.cohort, row.records])) }
}

async function importMore(files: Record<string, string[][]>) {
  const directory = exportDirectory()
  for (const [name, rows] of Object.entries(files)) writeCsv(join(directory, name), rows)
  await importFiles({ db: temp.db, crypto: temp.crypto, paths: [directory] })
  rmSync(directory, { recursive: true, force: true })
}

describe('people per cohort on the console', () => {
  it('counts again after each import, and only then', async () => {
    expect(await people()).toMatchObject({ humans: 1, member: 1, auction_buyer: 0 })
    await importMore({
      'members.csv': [MEMBER_COLUMNS, member({ member_id: 'M2' }), member({ member_id: 'M3' })],
    })
    expect(await people()).toMatchObject({ humans: 3, member: 3 })
    // A buyer sharing M1's phone: one more record, no more humans.
    const buyer: Record<string, string> = {
      buyer_id: 'YB_link0001',
      family_name: '落札',
      given_name: '太郎',
      phone: '090-1111-0001',
      postal_code: '150-0001',
      prefecture: '東京都',
      city: '渋谷区',
      address_line1: '1-2-3',
      first_purchase_at: '2020-01-01 10:00:00',
      last_purchase_at: '2021-01-01 10:00:00',
    }
    await importMore({
      'auction_buyers.csv': [BUYER_COLUMNS, BUYER_COLUMNS.map((column) => buyer[column] ?? '')],
    })
    expect(await people()).toMatchObject({ humans: 3, member: 3, auction_buyer: 1 })
  })
})
