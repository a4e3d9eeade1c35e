import { fold, formatIsoDate, normaliseIdentifier, normalisePhone, parseLegacyDateTime } from '~db/normalise'

/**
 * What a person typed as "date of birth, phone number or staff ID", read
 * every way it could be meant: one field, so the page never asks a question
 * that would tell which cohort a letter code belongs to.
 */
export type SecondFactor = { birthDate?: string; phone?: string; identifier?: string }

const ERAS: Record<string, number> = {
  令和: 2018,
  平成: 1988,
  昭和: 1925,
  大正: 1911,
  R: 2018,
  H: 1988,
  S: 1925,
  T: 1911,
}

// No date, phone number or staff ID is longer, however it is spaced: refused before it is folded.
const LONGEST_TYPED = 256

export function readSecondFactor(typed: string): SecondFactor {
  if (typed.length > LONGEST_TYPED) return {}
  const folded = fold(typed)
  return {
    birthDate: readBirthDate(folded),
    phone: normalisePhone(folded),
    identifier: normaliseIdentifier(folded),
  }
}

/** `1985-04-01`, `1985/4/1`, `19850401`, `1985年4月1日`, `昭和60年4月1日`, `S60.4.1` → `1985-04-01`. */
function readBirthDate(folded: string): string | undefined {
  const compact = folded.replace(/\s+/g, '')
  const eight = compact.match(/^(\d{4})(\d{2})(\d{2})$/)
  if (eight) return isoDate(`${eight[1]}-${eight[2]}-${eight[3]}`)
  const era = compact.match(
    /^(令和|平成|昭和|大正|[RHST])(元|\d{1,2})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?$/i,
  )
  if (era) {
    const base = ERAS[(era[1] as string).toUpperCase()] ?? ERAS[era[1] as string]
    if (base === undefined) return undefined
    const year = base + (era[2] === '元' ? 1 : Number(era[2]))
    return isoDate(`${year}-${era[3]}-${era[4]}`)
  }
  const kanji = compact.match(/^(\d{4})年(\d{1,2})月(\d{1,2})日?$/)
  if (kanji) return isoDate(`${kanji[1]}-${kanji[2]}-${kanji[3]}`)
  return /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$/.test(compact) ? isoDate(compact.replaceAll('.', '-')) : undefined
}

function isoDate(value: string) {
  const parsed = parseLegacyDateTime(value)
  return parsed ? formatIsoDate(parsed.date) : undefined
}
