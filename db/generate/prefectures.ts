import type { Rng } from './prng'

/**
 * The 47 prefectures in JIS X 0401 order, each with its population in units of 10,000 (so that Tokyo
 * is as common as it should be), the area code of its capital (for landlines), the real ranges of the
 * first three digits of its postal codes, and a few real cities or wards.
 */

export interface Prefecture {
  code: number
  name: string
  population: number
  areaCode: string
  postalRanges: readonly (readonly [number, number])[]
  cities: readonly string[]
}

const TABLE = `
1 北海道 514 011 001-009,040-099 札幌市中央区 札幌市北区 旭川市 函館市 釧路市
2 青森県 120 017 030-039 青森市 弘前市 八戸市
3 岩手県 118 019 020-029 盛岡市 一関市 奥州市
4 宮城県 228 022 980-989 仙台市青葉区 仙台市宮城野区 石巻市 名取市
5 秋田県 93 018 010-019 秋田市 横手市 大仙市
6 山形県 104 023 990-999 山形市 鶴岡市 酒田市
7 福島県 179 024 960-979 福島市 郡山市 いわき市 会津若松市
8 茨城県 284 029 300-319 水戸市 つくば市 日立市 土浦市
9 栃木県 191 028 320-329 宇都宮市 小山市 栃木市
10 群馬県 191 027 370-379 前橋市 高崎市 太田市
11 埼玉県 733 048 330-369 さいたま市大宮区 さいたま市浦和区 川口市 川越市 所沢市
12 千葉県 627 043 260-299 千葉市中央区 船橋市 松戸市 市川市 柏市
13 東京都 1404 03 100-179 千代田区 新宿区 世田谷区 練馬区 大田区 江戸川区 杉並区
14 神奈川県 923 045 220-247 横浜市港北区 横浜市青葉区 横浜市中区 横浜市戸塚区
15 新潟県 213 025 940-959 新潟市中央区 新潟市東区 長岡市 上越市
16 富山県 102 076 930-939 富山市 高岡市 射水市
17 石川県 111 076 920-929 金沢市 白山市 小松市
18 福井県 75 0776 910-919 福井市 敦賀市 坂井市
19 山梨県 80 055 400-409 甲府市 富士吉田市 甲斐市
20 長野県 202 026 380-399 長野市 松本市 上田市
21 岐阜県 194 058 500-509 岐阜市 大垣市 高山市
22 静岡県 355 054 410-439 静岡市葵区 沼津市 富士市 浜松市中央区
23 愛知県 748 052 440-499 名古屋市中区 名古屋市千種区 豊田市 岡崎市
24 三重県 174 059 510-519 津市 四日市市 鈴鹿市
25 滋賀県 141 077 520-529 大津市 草津市 彦根市
26 京都府 254 075 600-629 京都市中京区 京都市左京区 宇治市
27 大阪府 876 06 530-599 大阪市北区 大阪市中央区 大阪市天王寺区 大阪市淀川区
28 兵庫県 536 078 650-679 神戸市中央区 姫路市 西宮市 尼崎市
29 奈良県 130 0742 630-639 奈良市 橿原市 生駒市
30 和歌山県 90 073 640-649 和歌山市 田辺市
31 鳥取県 54 0857 680-689 鳥取市 米子市
32 島根県 65 0852 690-699 松江市 出雲市
33 岡山県 185 086 700-719 岡山市北区 倉敷市
34 広島県 275 082 720-739 広島市中区 福山市 呉市
35 山口県 131 083 740-759 山口市 下関市 宇部市
36 徳島県 70 088 770-779 徳島市 阿南市
37 香川県 93 087 760-769 高松市 丸亀市
38 愛媛県 130 089 790-799 松山市 今治市
39 高知県 67 088 780-789 高知市 南国市
40 福岡県 510 092 800-839 福岡市博多区 福岡市中央区 北九州市小倉北区 久留米市
41 佐賀県 80 0952 840-849 佐賀市 唐津市
42 長崎県 128 095 850-859 長崎市 佐世保市
43 熊本県 172 096 860-869 熊本市中央区 八代市
44 大分県 111 097 870-879 大分市 別府市
45 宮崎県 105 0985 880-889 宮崎市 都城市
46 鹿児島県 156 099 890-899 鹿児島市 霧島市
47 沖縄県 147 098 900-907 那覇市 沖縄市 浦添市
`

function parseRanges(text: string): [number, number][] {
  return text.split(',').map((range) => {
    const [from, to] = range.split('-').map(Number)
    return [from as number, to as number]
  })
}

function parseTable(text: string): Prefecture[] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [code, name, population, areaCode, ranges, ...cities] = line.trim().split(/\s+/)
      return {
        code: Number(code),
        name: name as string,
        population: Number(population),
        areaCode: areaCode as string,
        postalRanges: parseRanges(ranges as string),
        cities,
      }
    })
}

export const PREFECTURES: readonly Prefecture[] = parseTable(TABLE)

/** One slot per 10,000 inhabitants: a weighted pick is then a single array lookup. */
const BY_POPULATION: readonly Prefecture[] = PREFECTURES.flatMap((prefecture) =>
  Array.from({ length: prefecture.population }, () => prefecture),
)

export function pickPrefecture(rng: Rng): Prefecture {
  return rng.pick(BY_POPULATION)
}

/** A postal code like 160-0023 whose first three digits belong to the prefecture. */
export function postalCodeIn(prefecture: Prefecture, rng: Rng): string {
  const [from, to] = rng.pick(prefecture.postalRanges)
  const head = rng.between(from, to)
  const tail = rng.int(10000)
  return `${String(head).padStart(3, '0')}-${String(tail).padStart(4, '0')}`
}
