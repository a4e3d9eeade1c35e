/**
 * Common Japanese names with their katakana readings, in rough order of frequency (the family names follow
 * the usual national surname rankings). Every character is representable in CP932. A given name knows the
 * gender it is usually given to (m/f, or u where it is common for both), and the era it is typical of,
 * so that nobody born in 1935 is called 陽翔.
 */

export type NameGender = 'm' | 'f' | 'u'
/** old: mostly people born before 1966; new: mostly born after 1987; any: every generation. */
export type NameEra = 'old' | 'any' | 'new'

export interface FamilyName {
  kanji: string
  kana: string
}

export interface GivenName extends FamilyName {
  gender: NameGender
  era: NameEra
}

const FAMILY_NAMES_TEXT = `
佐藤 サトウ 鈴木 スズキ 高橋 タカハシ 田中 タナカ 伊藤 イトウ 渡辺 ワタナベ 山本 ヤマモト 中村 ナカムラ
小林 コバヤシ 加藤 カトウ 吉田 ヨシダ 山田 ヤマダ 佐々木 ササキ 山口 ヤマグチ 松本 マツモト 井上 イノウエ
木村 キムラ 林 ハヤシ 斎藤 サイトウ 清水 シミズ 山崎 ヤマザキ 森 モリ 池田 イケダ 橋本 ハシモト
阿部 アベ 石川 イシカワ 山下 ヤマシタ 中島 ナカジマ 石井 イシイ 小川 オガワ 前田 マエダ 岡田 オカダ
長谷川 ハセガワ 藤田 フジタ 後藤 ゴトウ 近藤 コンドウ 村上 ムラカミ 遠藤 エンドウ 青木 アオキ 坂本 サカモト
斉藤 サイトウ 福田 フクダ 太田 オオタ 西村 ニシムラ 藤井 フジイ 金子 カネコ 岡本 オカモト 藤原 フジワラ
中野 ナカノ 三浦 ミウラ 原田 ハラダ 中川 ナカガワ 松田 マツダ 竹内 タケウチ 小野 オノ 田村 タムラ
中山 ナカヤマ 和田 ワダ 石田 イシダ 森田 モリタ 上田 ウエダ 原 ハラ 内田 ウチダ 柴田 シバタ
酒井 サカイ 宮崎 ミヤザキ 横山 ヨコヤマ 高木 タカギ 安藤 アンドウ 宮本 ミヤモト 大野 オオノ 小島 コジマ
谷口 タニグチ 今井 イマイ 工藤 クドウ 高田 タカダ 増田 マスダ 丸山 マルヤマ 杉山 スギヤマ 村田 ムラタ
大塚 オオツカ 新井 アライ 小山 コヤマ 平野 ヒラノ 藤本 フジモト 河野 コウノ 上野 ウエノ 野口 ノグチ
武田 タケダ 松井 マツイ 千葉 チバ 岩崎 イワサキ 菅原 スガワラ 木下 キノシタ 久保 クボ 佐野 サノ
野村 ノムラ 松尾 マツオ 市川 イチカワ 菊地 キクチ 杉本 スギモト 古川 フルカワ 大西 オオニシ 島田 シマダ
水野 ミズノ 桜井 サクライ 高野 タカノ 渡部 ワタナベ 吉川 ヨシカワ 山内 ヤマウチ 西田 ニシダ 飯田 イイダ
菊池 キクチ 西川 ニシカワ 小松 コマツ 北村 キタムラ 安田 ヤスダ 五十嵐 イガラシ 川口 カワグチ 平田 ヒラタ
関 セキ 中田 ナカタ 久保田 クボタ 服部 ハットリ 岩田 イワタ 土屋 ツチヤ 川崎 カワサキ 福島 フクシマ
本田 ホンダ 辻 ツジ 樋口 ヒグチ 秋山 アキヤマ 田代 タシロ 中西 ナカニシ
`

const GIVEN_NAMES_TEXT = `
浩 ヒロシ m old   隆 タカシ m old   茂 シゲル m old   博 ヒロシ m old   清 キヨシ m old   実 ミノル m old
修 オサム m old   勇 イサム m old   和夫 カズオ m old   正 タダシ m old   進 ススム m old   豊 ユタカ m old
稔 ミノル m old   一郎 イチロウ m any   太郎 タロウ m any   明 アキラ m any   健一 ケンイチ m any
誠 マコト m any   直樹 ナオキ m any   哲也 テツヤ m any   秀樹 ヒデキ m any   剛 ツヨシ m any
学 マナブ m any   達也 タツヤ m any   和也 カズヤ m any   大輔 ダイスケ m any   大介 ダイスケ m any
拓也 タクヤ m any   健太 ケンタ m any   亮 リョウ m any   聡 サトシ m any   賢治 ケンジ m any
洋平 ヨウヘイ m any   雄一 ユウイチ m any   康弘 ヤスヒロ m any   俊介 シュンスケ m any
翔太 ショウタ m new   翔 ショウ m new   蓮 レン m new   陽翔 ハルト m new   大翔 ヒロト m new
悠真 ユウマ m new   湊 ミナト m new   颯太 ソウタ m new   陸 リク m new   悠斗 ユウト m new
涼介 リョウスケ m new   航 ワタル m new   優斗 ユウト m new   智也 トモヤ m new   裕太 ユウタ m new
幸子 サチコ f old   和子 カズコ f old   節子 セツコ f old   洋子 ヨウコ f old   恵子 ケイコ f old
京子 キョウコ f old   文子 フミコ f old   典子 ノリコ f old   明美 アケミ f old   陽子 ヨウコ f any
花子 ハナコ f any   久美子 クミコ f any   由美子 ユミコ f any   真由美 マユミ f any   智子 トモコ f any
裕子 ユウコ f any   純子 ジュンコ f any   明子 アキコ f any   直美 ナオミ f any   恵美 エミ f any
香織 カオリ f any   沙織 サオリ f any   優子 ユウコ f any   由紀 ユキ f any   亜希子 アキコ f any
理恵 リエ f any   美香 ミカ f any   絵美 エミ f any   美穂 ミホ f any   麻衣 マイ f any
愛 アイ f new   彩 アヤ f new   舞 マイ f new   美咲 ミサキ f new   陽菜 ヒナ f new   結衣 ユイ f new
葵 アオイ f new   さくら サクラ f new   凛 リン f new   芽依 メイ f new   結菜 ユイナ f new
美優 ミユ f new   七海 ナナミ f new   千尋 チヒロ f new   春香 ハルカ f new   奈々 ナナ f new
杏 アン f new   紬 ツムギ f new   美月 ミツキ f new
薫 カオル u any   光 ヒカル u any   翼 ツバサ u any   渚 ナギサ u any   忍 シノブ u old
晶 アキラ u any   真琴 マコト u new   瑞希 ミズキ u new   歩 アユム u any   遥 ハルカ u new
`

function words(text: string): string[] {
  return text.trim().split(/\s+/)
}

function parseFamilyNames(text: string): FamilyName[] {
  const list = words(text)
  const names: FamilyName[] = []
  for (let i = 0; i < list.length; i += 2)
    names.push({ kanji: list[i] as string, kana: list[i + 1] as string })
  return names
}

function parseGivenNames(text: string): GivenName[] {
  const list = words(text)
  const names: GivenName[] = []
  for (let i = 0; i < list.length; i += 4) {
    names.push({
      kanji: list[i] as string,
      kana: list[i + 1] as string,
      gender: list[i + 2] as NameGender,
      era: list[i + 3] as NameEra,
    })
  }
  return names
}

export const FAMILY_NAMES: readonly FamilyName[] = parseFamilyNames(FAMILY_NAMES_TEXT)
export const GIVEN_NAMES: readonly GivenName[] = parseGivenNames(GIVEN_NAMES_TEXT)

function namesFor(era: NameEra): GivenName[] {
  return GIVEN_NAMES.filter((name) => name.era === 'any' || name.era === era)
}

const BY_ERA: Record<NameEra, readonly GivenName[]> = {
  old: namesFor('old'),
  any: namesFor('any'),
  new: namesFor('new'),
}

/** The given names typical for someone born in this year. */
export function givenNamesFor(birthYear: number): readonly GivenName[] {
  if (birthYear < 1966) return BY_ERA.old
  return birthYear > 1987 ? BY_ERA.new : BY_ERA.any
}
