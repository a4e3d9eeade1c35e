import { maskEmail, maskIdentifier, maskName, maskPhone } from '~/exposure/mask'
import { CASE_SEARCH_LIMIT, type CaseKey, findCaseHumanIds } from '~db/case-search'
import { type PortalDatabase, withTransaction } from '~db/database'
import { findHuman } from '~db/humans'
import type { PortalCrypto } from '~db/portal-crypto'
import type { Cohort } from '~db/schema'
import { audit, type CaseViewer, caseBarred } from './case-access.server'
import type { CaseSearchKind } from './case-search-form.server'

/**
 * A search as staff see it: each human once, their linked records together,
 * with the masks of the exposure page and nothing more. A person who is not
 * in the data gives the same empty list as a typo would; every search leaves
 * an audit entry with its kind and how many it found, never what was typed.
 */

export type CaseSearchRecord = { cohort: Cohort; maskedId: string | null }

export type CaseSearchResult = {
  humanId: number
  maskedName: string | null
  maskedEmail: string | null
  maskedPhone: string | null
  records: CaseSearchRecord[]
  /** A staff member's own record, or (for an agent) a colleague's: listed, not openable. */
  barred: 'ownRecord' | 'colleagueRecord' | null
}

export type CaseSearchAnswer = { results: CaseSearchResult[]; tooMany: boolean }

const firstOf = <T>(values: (T | null)[]) => values.find((value) => value !== null) ?? null

export async function searchCases(
  { db, crypto, viewer }: { db: PortalDatabase; crypto: PortalCrypto; viewer: CaseViewer },
  { kind, key }: { kind: CaseSearchKind; key: CaseKey },
): Promise<CaseSearchAnswer> {
  const found = await findCaseHumanIds(db, key)
  const tooMany = found.length > CASE_SEARCH_LIMIT
  const results: CaseSearchResult[] = []
  for (const humanId of tooMany ? [] : found) {
    const human = await findHuman(db, crypto.keyring, humanId)
    if (!human) continue
    const records = human.records.map(({ record }) => record)
    results.push({
      humanId,
      maskedName: firstOf(records.map(maskName)),
      maskedEmail: firstOf(records.map((record) => maskEmail(record.email))),
      maskedPhone: firstOf(records.map((record) => maskPhone(record.phone))),
      records: human.records.map(({ cohort, record }) => ({
        cohort,
        maskedId: maskIdentifier(record.naturalId),
      })),
      barred: (await caseBarred({ db, crypto, viewer }, humanId)) ?? null,
    })
  }
  await withTransaction(db, async (tx) => {
    await audit(tx, viewer, 'case.searched', undefined, 'success', {
      kind,
      hits: found.length,
      ...(tooMany ? { tooMany: 'yes' } : {}),
    })
  })
  return { results, tooMany }
}
