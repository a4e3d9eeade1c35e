import { getConfig } from '~/config.server'
import { firstErrors, readForm } from '~/forms/bounded-form'
import type { Language } from '~/i18n/config'
import { hitLimit, limits } from '~/security/rate-limit.server'
import {
  clearTokenCookie,
  cookieName,
  randomToken,
  readTokenCookie,
  serializeTokenCookie,
  tokenHashes,
} from '~/session/cookie.server'
import type { Refused } from '~/verify/email-code-request.server'
import { type PortalDatabase, withTransaction } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import {
  addDraftPhoto,
  createDraft,
  type DraftAddressSource,
  findLiveDraft,
  listDraftPhotos,
  type PhotoSummary,
  RETURN_DRAFT_TTL_MS,
  readDraftDetails,
  removeDraftPhotos,
  saveDraftDetails,
  setDraftEmailIndex,
} from '~db/return-drafts'
import type { ReturnReason } from '~db/return-vocabulary'
import type { ReceivedFile } from './multipart-form.server'
import { type PhotoProblem, reencodePhoto } from './photo-reencode.server'
import { sendReturnCode } from './return-code.server'
import type { ReturnDetails } from './return-details'
import { RETURN_PHOTOS_MAX } from './return-fields'
import { returnForm, type TypedReturn, typedReturn } from './return-form'

/**
 * A return request from first post to the code: the draft that holds what
 * was typed and the photos accepted so far, found through a cookie of its
 * own (a random token; the row holds its keyed hash). A post saves what it
 * can, always: the fields as typed, every photo that passed; and says what
 * is missing or refused. Once nothing is, the code goes to the contact
 * address and the request waits for it.
 */

export const RETURN_DRAFT_COOKIE = 'portal_return'

export type DraftContext = { db: PortalDatabase; crypto: PortalCrypto; now: number }

/** What the draft keeps: the fields as typed, and once they were all right, the request to file. */
/** Sealed with the draft; `ready.email` is what its digest is of (`DraftAddressSource`). */
export type DraftDetails = DraftAddressSource & {
  typed: TypedReturn
  ready?: ReturnDetails & { reason: ReturnReason }
  language: Language
  /** What the last post lacked, for the page to show again (a post sent by script is followed by a reload). */
  lastPost?: PostProblems
}

export type PostProblems = { errors: Partial<Record<string, string>>; refused: FileRefusal[] }

export type FileRefusal = {
  name: string
  problem: PhotoProblem | 'tooLarge' | 'tooMany' | 'overTotal' | 'tooOften'
}

export type DraftView = { typed: TypedReturn; photos: PhotoSummary[]; lastPost?: PostProblems }

export type SaveOutcome =
  | {
      kind: 'incomplete'
      errors: Partial<Record<string, string>>
      refused: FileRefusal[]
      view: DraftView
      setCookie?: string
    }
  | ({ kind: 'limited'; view: DraftView; setCookie?: string } & Refused)
  | { kind: 'codeSent'; setCookie?: string }

const cookie = () => cookieName(RETURN_DRAFT_COOKIE, getConfig().NODE_ENV === 'production')
// The draft's cookie token is kept as an HMAC under a key of its own, as sessions are.
const draftTokens = (db: PortalDatabase, now: number) =>
  tokenHashes(
    getConfig().SESSION_SECRETS,
    'return-draft',
    async (hash) => (await findLiveDraft(db, hash, now)) !== undefined,
  )

/** The visitor's draft, if their cookie names a live one. */
export async function currentDraft({ db, now }: Pick<DraftContext, 'db' | 'now'>, request: Request) {
  const token = readTokenCookie(request, cookie())
  return token === undefined ? undefined : findLiveDraft(db, await draftTokens(db, now).stored(token), now)
}

/** What the form shows for the visitor's draft: the fields as they were typed, the photos held. */
export async function draftView(context: DraftContext, request: Request): Promise<DraftView | undefined> {
  const draft = await currentDraft(context, request)
  if (!draft) return undefined
  const details = readDraftDetails<DraftDetails>(context.crypto.keyring, draft)
  return {
    typed: details?.typed ?? typedReturn(new FormData()),
    photos: await listDraftPhotos(context.db, draft.id),
    ...(details?.lastPost && { lastPost: details.lastPost }),
  }
}

export function clearDraftCookie() {
  return clearTokenCookie({ name: cookie(), isProduction: getConfig().NODE_ENV === 'production' })
}

/**
 * Saves a post of the form into the visitor's draft (made if they have none)
 * and, when the request is complete, sends the code. Photos are re-encoded
 * one at a time, each stored in a transaction of its own, so a photo that
 * passed is kept whatever happens to the next.
 */
export async function saveReturnPost(
  context: DraftContext,
  {
    request,
    form,
    files,
    removePhotoIds,
    language,
    portalAddress,
  }: {
    request: Request
    form: FormData
    files: ReceivedFile[]
    removePhotoIds: string[]
    language: Language
    portalAddress: string
  },
): Promise<SaveOutcome> {
  const { db, crypto } = context
  const { draftId, setCookie } = await draftFor(context, request)
  await removeDraftPhotos(db, { draftId, photoIds: removePhotoIds })
  const refused: FileRefusal[] = []
  for (const file of files) {
    if (file.kind === 'refused') {
      refused.push({ name: file.name, problem: file.problem })
      continue
    }
    if ((await listDraftPhotos(db, draftId)).length >= RETURN_PHOTOS_MAX) {
      refused.push({ name: file.file.name, problem: 'tooMany' })
      continue
    }
    if ((await hitLimit(db, crypto, limits.returnPhotosPerDraft, `draft:${draftId}`, context.now)).limited) {
      refused.push({ name: file.file.name, problem: 'tooOften' })
      continue
    }
    const photo = await reencodePhoto(file.file)
    if (!photo.ok) refused.push({ name: file.file.name, problem: photo.problem })
    else
      await withTransaction(db, (tx) =>
        addDraftPhoto(tx, crypto.keyring, { draftId, photo: photo.photo, now: context.now }),
      )
  }
  const typed = typedReturn(form)
  const parsed = readForm(form, returnForm)
  const photos = await listDraftPhotos(db, draftId)
  const errors: Partial<Record<string, string>> = parsed.success
    ? {}
    : firstErrors<string>(parsed.error.issues)
  if (photos.length === 0) errors.photos = refused.length > 0 ? 'photosNoneAccepted' : 'photosRequired'
  const ready = parsed.success ? { ...parsed.data, email: parsed.data.email.shown, language } : undefined
  const details: DraftDetails = { typed, language, ...(ready && { ready }) }
  const view = { typed, photos }
  if (!parsed.success || photos.length === 0 || refused.length > 0) {
    const withProblems = { ...details, lastPost: { errors, refused } }
    await withTransaction(db, (tx) =>
      saveDraftDetails(tx, crypto.keyring, { draftId, details: withProblems, now: context.now }),
    )
    return { kind: 'incomplete', errors, refused, view, setCookie }
  }
  const email = parsed.data.email
  const sent = await withTransaction(db, async (tx) => {
    await saveDraftDetails(tx, crypto.keyring, { draftId, details, now: context.now })
    const outcome = await sendReturnCode(
      { db: tx, crypto, now: context.now },
      { purpose: 'return-code', email: email.matched, displayEmail: email.shown, language, portalAddress },
    )
    if (!outcome.limited)
      await setDraftEmailIndex(tx, { draftId, emailIndex: crypto.index('email', email.matched) })
    return outcome
  })
  if (sent.limited) return { ...sent, kind: 'limited', view, setCookie }
  return { kind: 'codeSent', setCookie }
}

async function draftFor(
  context: DraftContext,
  request: Request,
): Promise<{ draftId: number; setCookie?: string }> {
  const draft = await currentDraft(context, request)
  if (draft) return { draftId: draft.id }
  const token = randomToken()
  const draftId = await withTransaction(context.db, (tx) =>
    createDraft(tx, { tokenHash: draftTokens(tx, context.now).fresh(token), now: context.now }),
  )
  const setCookie = serializeTokenCookie({
    name: cookie(),
    value: token,
    isProduction: getConfig().NODE_ENV === 'production',
    maxAgeSeconds: RETURN_DRAFT_TTL_MS / 1000,
  })
  return { draftId, setCookie }
}
