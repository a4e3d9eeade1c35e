import type { ExportKind } from './columns'
import { rngAt, streamSeed } from './prng'

/**
 * With --messy, about one row in a thousand per file is one the importer must reject and report with
 * its line number: an impossible date, an unknown gender code, a phone that is not a phone, or (in
 * member_cards.csv) a card whose member_id does not exist. Which rows is fixed by the seed; the kinds
 * take turns, so a file with a few thousand rows has every kind.
 */

export const REJECT_EVERY = 1000

type Patch = Record<string, string>

const IMPOSSIBLE_DATES = ['2019-02-30', '2021-04-31', '2023-02-29', '2018-13-05', '2010-06-31']
const IMPOSSIBLE_BIRTH_DATES = ['1975-02-30', '1988-04-31', '1990-13-01', '1962-02-29', '2001-09-31']
const NOT_PHONES = ['不明', 'なし', '000', '12345', 'tel', '090-1234']
const UNKNOWN_GENDERS = ['7', '3', '5']

const KINDS: Record<ExportKind, readonly ((pick: number) => Patch)[]> = {
  members: [
    (pick) => ({ birth_date: at(IMPOSSIBLE_BIRTH_DATES, pick) }),
    (pick) => ({ gender: at(UNKNOWN_GENDERS, pick) }),
    (pick) => ({ phone: at(NOT_PHONES, pick) }),
    (pick) => ({ registered_at: `${at(IMPOSSIBLE_DATES, pick)} 12:00:00` }),
  ],
  // An orphan card is an extra row, written after the member's own cards: see orphanCard.
  cards: [],
  buyers: [
    (pick) => ({ last_purchase_at: `${at(IMPOSSIBLE_DATES, pick)} 09:30:00` }),
    (pick) => ({ phone: at(NOT_PHONES, pick) }),
  ],
  employees: [(pick) => ({ phone: at(NOT_PHONES, pick) })],
  staff: [],
}

function at(items: readonly string[], pick: number): string {
  return items[pick % items.length] as string
}

export class Rejects {
  private readonly offsets: Record<ExportKind, number>

  constructor(seed: number) {
    const rng = rngAt(streamSeed({ seed, stream: 'rejects' }), 0)
    this.offsets = {
      members: rng.int(REJECT_EVERY),
      cards: rng.int(REJECT_EVERY),
      buyers: rng.int(REJECT_EVERY),
      employees: rng.int(REJECT_EVERY),
      staff: rng.int(REJECT_EVERY),
    }
  }

  private turn(kind: ExportKind, index: number): number | undefined {
    const shifted = index + this.offsets[kind]
    return shifted % REJECT_EVERY === REJECT_EVERY - 1 ? Math.floor(shifted / REJECT_EVERY) : undefined
  }

  /** The values that make this row unreadable, or undefined for a good row. */
  patchFor(kind: ExportKind, index: number): Patch | undefined {
    const kinds = KINDS[kind]
    const turn = this.turn(kind, index)
    if (turn === undefined || kinds.length === 0) return undefined
    return (kinds[turn % kinds.length] as (pick: number) => Patch)(turn)
  }

  /** A card for a member who does not exist (M9…, beyond any generated ID), after this member's cards. */
  orphanCard(
    memberIndex: number,
  ): { member_id: string; card_last4: string; card_expiry: string } | undefined {
    const turn = this.turn('cards', memberIndex)
    if (turn === undefined) return undefined
    return {
      member_id: `M${99_999_999 - turn}`,
      card_last4: String(1000 + (turn % 9000)),
      card_expiry: '09/27',
    }
  }
}
