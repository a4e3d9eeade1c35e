import type { AppLoadContext } from '@remix-run/node'
import { getConfig } from '~/config.server'
import { portalCrypto } from '~/crypto.server'
import { db } from '~/db.server'
import type { Language } from '~/i18n/config'
import { printedPortalAddress } from '~/mail/portal-address.server'
import { readGuardedUpload } from '~/security/form-post.server'
import { limits } from '~/security/rate-limit.server'
import { RETURN_PHOTO_ID_PATTERN } from '~db/return-vocabulary'
import { MalformedMultipart, readMultipartForm, spoolDirectoryFor } from './multipart-form.server'
import { saveReturnPost } from './return-draft.server'
import { PHOTO_FIELD, REMOVE_PHOTO_FIELD, RETURN_PHOTOS_MAX } from './return-fields'

/**
 * One post of the return form, from the wire to the draft: the client's
 * limits before the body is read, the body streamed (photos to the encrypted
 * spool), the form's token, then the draft saved and, if complete, the code
 * sent. The spool is emptied whatever happens.
 */

export async function postReturnForm({
  request,
  context,
  language,
}: {
  request: Request
  context: Pick<AppLoadContext, 'clientIp'>
  language: Language
}) {
  let guarded: Awaited<ReturnType<typeof readGuardedUpload<Awaited<ReturnType<typeof readMultipartForm>>>>>
  try {
    guarded = await readGuardedUpload(request, context, {
      read: (body) =>
        readMultipartForm(body, {
          spoolDirectory: spoolDirectoryFor(getConfig()),
          fileField: PHOTO_FIELD,
        }),
      limit: limits.returnPostsPerIp,
    })
  } catch (error) {
    if (error instanceof MalformedMultipart) return { kind: 'malformed' as const }
    throw error
  }
  if (guarded.refused) return { kind: 'refused' as const, response: guarded.response }
  const { form, files, discard } = guarded.upload
  try {
    const outcome = await saveReturnPost(
      { db: db(), crypto: portalCrypto(), now: Date.now() },
      {
        request,
        form,
        files,
        removePhotoIds: photoIdsToRemove(form),
        language,
        portalAddress: printedPortalAddress(getConfig().PUBLIC_URL),
      },
    )
    return { kind: 'saved' as const, outcome }
  } finally {
    await discard()
  }
}

/** The held photos ticked for removal: IDs of their exact shape only, at most one per photo a draft holds. */
function photoIdsToRemove(form: FormData) {
  return form
    .getAll(REMOVE_PHOTO_FIELD)
    .slice(0, RETURN_PHOTOS_MAX)
    .filter(
      (value): value is string =>
        typeof value === 'string' && value.length === 33 && RETURN_PHOTO_ID_PATTERN.test(value),
    )
}
