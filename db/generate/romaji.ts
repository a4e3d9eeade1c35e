/** Katakana readings to the lower-case romaji people use in e-mail addresses (サトウ → satou). */

const SINGLE: Record<string, string> = {}
const DOUBLE: Record<string, string> = {}

const ROWS = `
ア a イ i ウ u エ e オ o カ ka キ ki ク ku ケ ke コ ko ガ ga ギ gi グ gu ゲ ge ゴ go
サ sa シ shi ス su セ se ソ so ザ za ジ ji ズ zu ゼ ze ゾ zo タ ta チ chi ツ tsu テ te ト to
ダ da ヂ ji ヅ zu デ de ド do ナ na ニ ni ヌ nu ネ ne ノ no ハ ha ヒ hi フ fu ヘ he ホ ho
バ ba ビ bi ブ bu ベ be ボ bo パ pa ピ pi プ pu ペ pe ポ po マ ma ミ mi ム mu メ me モ mo
ヤ ya ユ yu ヨ yo ラ ra リ ri ル ru レ re ロ ro ワ wa ヲ o ン n ヴ vu
ァ a ィ i ゥ u ェ e ォ o ャ ya ュ yu ョ yo
`

const SMALL_Y: Record<string, string> = { ャ: 'a', ュ: 'u', ョ: 'o' }

function load(): void {
  const list = ROWS.trim().split(/\s+/)
  for (let i = 0; i < list.length; i += 2) SINGLE[list[i] as string] = list[i + 1] as string
  for (const [kana, roma] of Object.entries(SINGLE)) {
    if (!roma.endsWith('i') || roma.length < 2) continue
    // キャ → kya, シャ → sha, チャ → cha, ジャ → ja
    const stem = /^(sh|ch|j)i$/.test(roma) ? roma.slice(0, -1) : `${roma.slice(0, -1)}y`
    for (const [small, vowel] of Object.entries(SMALL_Y)) DOUBLE[kana + small] = stem + vowel
  }
}
load()

export function toRomaji(kana: string): string {
  let out = ''
  let doubleNext = false
  for (let i = 0; i < kana.length; i++) {
    const ch = kana[i] as string
    if (ch === 'ッ') {
      doubleNext = true
      continue
    }
    if (ch === 'ー') continue
    const pair = DOUBLE[ch + (kana[i + 1] ?? '')]
    const roma = pair ?? SINGLE[ch] ?? ''
    if (pair) i++
    out += doubleNext ? (roma.startsWith('ch') ? 't' : roma.charAt(0)) + roma : roma
    doubleNext = false
  }
  return out
}
