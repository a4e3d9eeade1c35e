import { normalisePostalCode } from '~db/normalise'

/**
 * The 47 prefectures in JIS X 0401 order, and which prefectures a postal
 * code's first three digits can belong to. Shared by the server and the
 * browser: plain data, no Node imports.
 */

export const PREFECTURES = [
  { code: '01', name: '北海道', nameEn: 'Hokkaido' },
  { code: '02', name: '青森県', nameEn: 'Aomori' },
  { code: '03', name: '岩手県', nameEn: 'Iwate' },
  { code: '04', name: '宮城県', nameEn: 'Miyagi' },
  { code: '05', name: '秋田県', nameEn: 'Akita' },
  { code: '06', name: '山形県', nameEn: 'Yamagata' },
  { code: '07', name: '福島県', nameEn: 'Fukushima' },
  { code: '08', name: '茨城県', nameEn: 'Ibaraki' },
  { code: '09', name: '栃木県', nameEn: 'Tochigi' },
  { code: '10', name: '群馬県', nameEn: 'Gunma' },
  { code: '11', name: '埼玉県', nameEn: 'Saitama' },
  { code: '12', name: '千葉県', nameEn: 'Chiba' },
  { code: '13', name: '東京都', nameEn: 'Tokyo' },
  { code: '14', name: '神奈川県', nameEn: 'Kanagawa' },
  { code: '15', name: '新潟県', nameEn: 'Niigata' },
  { code: '16', name: '富山県', nameEn: 'Toyama' },
  { code: '17', name: '石川県', nameEn: 'Ishikawa' },
  { code: '18', name: '福井県', nameEn: 'Fukui' },
  { code: '19', name: '山梨県', nameEn: 'Yamanashi' },
  { code: '20', name: '長野県', nameEn: 'Nagano' },
  { code: '21', name: '岐阜県', nameEn: 'Gifu' },
  { code: '22', name: '静岡県', nameEn: 'Shizuoka' },
  { code: '23', name: '愛知県', nameEn: 'Aichi' },
  { code: '24', name: '三重県', nameEn: 'Mie' },
  { code: '25', name: '滋賀県', nameEn: 'Shiga' },
  { code: '26', name: '京都府', nameEn: 'Kyoto' },
  { code: '27', name: '大阪府', nameEn: 'Osaka' },
  { code: '28', name: '兵庫県', nameEn: 'Hyogo' },
  { code: '29', name: '奈良県', nameEn: 'Nara' },
  { code: '30', name: '和歌山県', nameEn: 'Wakayama' },
  { code: '31', name: '鳥取県', nameEn: 'Tottori' },
  { code: '32', name: '島根県', nameEn: 'Shimane' },
  { code: '33', name: '岡山県', nameEn: 'Okayama' },
  { code: '34', name: '広島県', nameEn: 'Hiroshima' },
  { code: '35', name: '山口県', nameEn: 'Yamaguchi' },
  { code: '36', name: '徳島県', nameEn: 'Tokushima' },
  { code: '37', name: '香川県', nameEn: 'Kagawa' },
  { code: '38', name: '愛媛県', nameEn: 'Ehime' },
  { code: '39', name: '高知県', nameEn: 'Kochi' },
  { code: '40', name: '福岡県', nameEn: 'Fukuoka' },
  { code: '41', name: '佐賀県', nameEn: 'Saga' },
  { code: '42', name: '長崎県', nameEn: 'Nagasaki' },
  { code: '43', name: '熊本県', nameEn: 'Kumamoto' },
  { code: '44', name: '大分県', nameEn: 'Oita' },
  { code: '45', name: '宮崎県', nameEn: 'Miyazaki' },
  { code: '46', name: '鹿児島県', nameEn: 'Kagoshima' },
  { code: '47', name: '沖縄県', nameEn: 'Okinawa' },
] as const

export type Prefecture = (typeof PREFECTURES)[number]
/** A prefecture as the form and legacy records hold it: `東京都`. */
export type PrefectureName = Prefecture['name']
/** Its JIS X 0401 code: `13`. */
export type PrefectureCode = Prefecture['code']

export const PREFECTURE_NAMES: readonly PrefectureName[] = PREFECTURES.map((prefecture) => prefecture.name)

const BY_NAME = new Map<string, Prefecture>(PREFECTURES.map((prefecture) => [prefecture.name, prefecture]))

/**
 * A prefecture from its JIS X 0401 code (`13`, `'13'`, `'01'`, `'1'`) or its
 * Japanese name (`東京都`); undefined for anything else.
 */
export function prefectureOf(codeOrName: string | number): Prefecture | undefined {
  const value = typeof codeOrName === 'number' ? String(codeOrName) : codeOrName.normalize('NFKC').trim()
  if (/^\d{1,2}$/.test(value)) return PREFECTURES[Number(value) - 1]
  return BY_NAME.get(value)
}

export function isPrefectureName(value: string): value is PrefectureName {
  return BY_NAME.has(value)
}

/**
 * The prefecture of each postal area, by the first three digits of the code:
 * [first, last, JIS code]. Checked against Japan Post's KEN_ALL data. The ranges
 * run on over three-digit areas Japan Post does not use, so that a new area
 * there is read as its neighbours' rather than refused.
 */
const AREAS: readonly (readonly [number, number, PrefectureCode])[] = [
  [1, 9, '01'],
  [10, 19, '05'],
  [20, 29, '03'],
  [30, 39, '02'],
  [40, 99, '01'],
  [100, 209, '13'],
  [210, 259, '14'],
  [260, 299, '12'],
  [300, 319, '08'],
  [320, 329, '09'],
  [330, 369, '11'],
  [370, 379, '10'],
  [380, 399, '20'],
  [400, 409, '19'],
  [410, 439, '22'],
  [440, 499, '23'],
  [500, 509, '21'],
  [510, 519, '24'],
  [520, 529, '25'],
  [530, 599, '27'],
  [600, 629, '26'],
  [630, 639, '29'],
  [640, 649, '30'],
  [650, 679, '28'],
  [680, 684, '31'],
  // The Oki Islands.
  [685, 685, '32'],
  [686, 689, '31'],
  [690, 699, '32'],
  [700, 719, '33'],
  [720, 739, '34'],
  [740, 759, '35'],
  [760, 769, '37'],
  [770, 779, '36'],
  [780, 789, '39'],
  [790, 799, '38'],
  [800, 816, '40'],
  // Tsushima.
  [817, 817, '42'],
  [818, 839, '40'],
  [840, 849, '41'],
  [850, 859, '42'],
  [860, 869, '43'],
  [870, 879, '44'],
  [880, 889, '45'],
  [890, 899, '46'],
  [900, 909, '47'],
  [910, 919, '18'],
  [920, 929, '17'],
  [930, 939, '16'],
  [940, 959, '15'],
  [960, 979, '07'],
  [980, 989, '04'],
  [990, 999, '06'],
]

/**
 * Three-digit areas that reach into other prefectures, with those other
 * prefectures: a village or a few streets across the border share the
 * neighbouring area's post office (for instance Kisosaki, Mie, in 498; Shimamoto,
 * Osaka, in 618; Iki, Nagasaki, in 811; Yoshitomi, Fukuoka, in 871).
 */
const SHARED_AREAS: Readonly<Record<number, readonly PrefectureCode[]>> = {
  18: ['02'],
  311: ['09'],
  349: ['09'],
  370: ['11'],
  384: ['10'],
  389: ['10', '15'],
  431: ['23'],
  498: ['24'],
  520: ['26'],
  563: ['28'],
  618: ['27'],
  630: ['27'],
  647: ['24', '29'],
  648: ['29'],
  684: ['32'],
  811: ['42'],
  839: ['44'],
  848: ['42'],
  871: ['40'],
  922: ['18'],
  939: ['17'],
  949: ['20'],
}

/**
 * The Japanese names of the prefectures a postal code can belong to, the main
 * one first; empty when the code cannot be read or its area belongs to none.
 * Accepts the code in any form `normalisePostalCode` reads (`1000001`,
 * `100-0001`, `〒１００－０００１`).
 */
export function prefecturesForPostalCode(code7: string): PrefectureName[] {
  const digits = normalisePostalCode(code7)
  if (!digits) return []
  const area = Number(digits.slice(0, 3))
  const main = AREAS.find(([first, last]) => area >= first && area <= last)
  if (!main) return []
  return [main[2], ...(SHARED_AREAS[area] ?? [])].map(
    (code) => PREFECTURES[Number(code) - 1]?.name as PrefectureName,
  )
}

/** Whether a postal code can be in the prefecture (given by name or JIS code). */
export function postalCodeMatchesPrefecture({
  postalCode,
  prefecture,
}: {
  postalCode: string
  prefecture: string
}): boolean {
  const name = prefectureOf(prefecture)?.name
  return name !== undefined && prefecturesForPostalCode(postalCode).includes(name)
}
