import type { Response } from 'express'

/**
 * The short bilingual text the HTTP layer answers with when it refuses a
 * request before any page sees it. Nothing of the request is quoted back.
 */
const MESSAGES = {
  400: '送信内容を読み取れません。 / The request could not be read.',
  403: '他のサイトからは送信できません。 / This form cannot be sent from another site.',
  405: 'この方法ではご利用いただけません。 / This method is not allowed here.',
  411: '送信内容の長さが必要です。 / The request must state its length.',
  413: '送信内容が大きすぎます。 / The request is too large.',
  415: 'フォームの形式で送信してください。 / Send the request as a form.',
  421: 'このアドレスではご利用いただけません。 / This portal does not answer at this address.',
  500: '問題が発生しました。しばらくしてからもう一度お試しください。 / Something went wrong. Please try again in a few minutes.',
  503: '現在、内容を保存できません。数分後にもう一度お試しください。 / We cannot save anything right now. Please try again in a few minutes.',
} as const

export type RefusalStatus = keyof typeof MESSAGES

export function refuse(res: Response, status: RefusalStatus, headers: Record<string, string> = {}) {
  res
    .status(status)
    .set({ ...headers, Connection: 'close', 'Cache-Control': 'no-store' })
    .type('text/plain; charset=utf-8')
    .send(MESSAGES[status])
}
