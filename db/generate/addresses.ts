import { type Prefecture, pickPrefecture, postalCodeIn } from './prefectures'
import type { Rng } from './prng'

/** Town names that exist in many Japanese cities, so pairing one with any city stays plausible. */
const TOWNS = [
  '本町',
  '中央',
  '栄町',
  '緑町',
  '旭町',
  '幸町',
  '東町',
  '西町',
  '南町',
  '北町',
  '大町',
  '新町',
  '桜町',
  '若葉',
]

const BUILDING_STEMS = [
  'サン',
  'グラン',
  'パーク',
  'ロイヤル',
  'エクセル',
  'メゾン',
  'コート',
  'ベル',
  'リバー',
  'シティ',
]
const BUILDING_KINDS = ['マンション', 'ハイツ', 'コーポ', 'レジデンス', 'ハイム', 'パレス', 'ヒルズ', '荘']

export interface Address {
  prefecture: Prefecture
  postalCode: string
  city: string
  addressLine1: string
  addressLine2: string
}

/** "本町1丁目2-3", "2-15-8", "緑町3-4". */
function line1(rng: Rng): string {
  const town = rng.chance(0.7) ? rng.pick(TOWNS) : ''
  const chome = rng.between(1, 6)
  const banchi = rng.between(1, 30)
  const go = rng.between(1, 25)
  if (town && rng.chance(0.4)) return `${town}${chome}丁目${banchi}-${go}`
  return `${town}${chome}-${banchi}-${go}`
}

/** "グランハイツ 301号室", "コーポ山田 2F" or, most often, nothing: a house. */
function line2(rng: Rng): string {
  if (!rng.chance(0.4)) return ''
  const name = `${rng.pick(BUILDING_STEMS)}${rng.pick(BUILDING_KINDS)}`
  const room = `${rng.between(1, 12)}0${rng.between(1, 9)}`
  return rng.chance(0.8) ? `${name} ${room}号室` : `${name}${rng.between(1, 3)} ${room}`
}

export function addressFor(rng: Rng): Address {
  const prefecture = pickPrefecture(rng)
  return {
    prefecture,
    postalCode: postalCodeIn(prefecture, rng),
    city: rng.pick(prefecture.cities),
    addressLine1: line1(rng),
    addressLine2: line2(rng),
  }
}
