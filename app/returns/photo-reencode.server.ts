import { fileTypeFromBuffer } from 'file-type'
import sharp from 'sharp'
import type { StoredPhoto } from '~db/return-drafts'
import { readSpooledFile, type SpooledFile } from './multipart-form.server'

/**
 * Turns an uploaded file into the photo the portal keeps: its type decided
 * from its bytes alone (never its name or the browser's header), decoded in
 * full (a truncated or corrupt image is refused, not half-kept), turned
 * upright, scaled to fit 2560 px, and written anew as JPEG, which leaves
 * every piece of metadata behind, GPS position included.
 */

/** Photos of a box or a dent; a phone camera's 12 to 48 megapixels fit, a decompression bomb does not. */
const MAX_INPUT_PIXELS = 50_000_000
/** Enough to read a shipping label on a phone photo; keeps each stored photo to a few hundred kilobytes. */
const LONGEST_SIDE = 2560

const ACCEPTED = new Set(['image/jpeg', 'image/png', 'image/webp'])

// One image at a time per process, and no cache of decoded images kept between requests.
sharp.concurrency(1)
sharp.cache(false)

export type PhotoProblem = 'notImage' | 'heic' | 'unreadable' | 'tooManyPixels'

export type ReencodedPhoto = { ok: true; photo: StoredPhoto } | { ok: false; problem: PhotoProblem }

export async function reencodePhoto(file: SpooledFile): Promise<ReencodedPhoto> {
  const type = await fileTypeFromBuffer(file.head)
  if (type?.mime === 'image/heic' || type?.mime === 'image/heif') return { ok: false, problem: 'heic' }
  if (!type || !ACCEPTED.has(type.mime)) return { ok: false, problem: 'notImage' }
  const bytes = await readSpooledFile(file)
  try {
    const { data, info } = await sharp(bytes, {
      limitInputPixels: MAX_INPUT_PIXELS,
      failOn: 'warning',
      animated: false,
    })
      .rotate()
      .resize({ width: LONGEST_SIDE, height: LONGEST_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer({ resolveWithObject: true })
    return {
      ok: true,
      photo: { mediaType: 'image/jpeg', width: info.width, height: info.height, bytes: data },
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : ''
    return { ok: false, problem: /pixel limit/i.test(message) ? 'tooManyPixels' : 'unreadable' }
  }
}
