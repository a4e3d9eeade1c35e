import { createRequire } from 'node:module'
import { fileTypeFromBuffer } from 'file-type'
import { HELPER_PROTOCOL, helperProcess } from '~/helpers/helper-process.server'
import type { StoredPhoto } from '~db/return-drafts'
import type { SpooledFile } from './multipart-form.server'

/**
 * Turns an uploaded file into the photo the portal keeps: its type decided
 * from its bytes alone (never its name or the browser's header), decoded in
 * full (a truncated or corrupt image is refused, not half-kept), turned
 * upright, scaled to fit 2560 px, and written anew as JPEG, which leaves
 * every piece of metadata behind, GPS position included.
 *
 * Decoding runs in a helper process of its own, at a lower priority: an
 * image decoder is where hostile files attack, and a crash there fails one
 * photo, not the web process. The helper uses one malloc arena: libvips
 * frees its buffers in other threads than it took them, and with glibc's
 * default of one arena per thread each photo left ~40 MB behind (measured:
 * 12 photos of 10 megapixels grew a process by 124 MB with the default, by
 * 3 MB with one arena). It also collects its garbage after each photo.
 */

/** Photos of a box or a dent; a phone camera's 12 to 48 megapixels fit, a decompression bomb does not. */
const MAX_INPUT_PIXELS = 50_000_000
/** Enough to read a shipping label on a phone photo; keeps each stored photo to a few hundred kilobytes. */
const LONGEST_SIDE = 2560
const HELPER_NICENESS = 10

const ACCEPTED = new Set(['image/jpeg', 'image/png', 'image/webp'])

const HELPER_SOURCE = `
const os = require('node:os')
try { os.setPriority(0, ${HELPER_NICENESS}) } catch {}
const { createDecipheriv } = require('node:crypto')
const { readFileSync } = require('node:fs')
const sharp = require(process.env.PHOTO_HELPER_SHARP)
// One image at a time, and no cache of decoded images kept between photos.
sharp.concurrency(1)
sharp.cache(false)
const work = {
  reencode: async (args) => {
    try {
      return await reencode(args)
    } finally {
      // Each photo leaves tens of megabytes of buffers behind; free them now, not when V8 next looks.
      global.gc()
    }
  },
}
async function reencode({ path, key, iv, size }) {
    const bytes = createDecipheriv('aes-256-ctr', Buffer.from(key), Buffer.from(iv)).update(readFileSync(path))
    // The encrypted copy goes before decoding starts: one copy of the file in memory, not two.
    global.gc()
    if (bytes.length !== size) return { ok: false, problem: 'unreadable' }
    try {
      const { data, info } = await sharp(bytes, {
        limitInputPixels: ${MAX_INPUT_PIXELS},
        failOn: 'warning',
        animated: false,
        sequentialRead: true,
      })
        .rotate()
        .resize({ width: ${LONGEST_SIDE}, height: ${LONGEST_SIDE}, fit: 'inside', withoutEnlargement: true })
        .flatten({ background: '#ffffff' })
        // Without optimised Huffman tables: those need every coefficient of the image held at once
        // (35 MB more at the peak of a 10-megapixel photo, measured) for files 5 to 10% smaller.
        .jpeg({ quality: 82, optimiseCoding: false })
        .toBuffer({ resolveWithObject: true })
      return { ok: true, width: info.width, height: info.height, bytes: data }
    } catch (error) {
      const message = error instanceof Error ? error.message : ''
      return { ok: false, problem: /pixel limit/i.test(message) ? 'tooManyPixels' : 'unreadable' }
    }
}
${HELPER_PROTOCOL}`

type PhotoWork = {
  reencode: {
    args: { path: string; key: Uint8Array; iv: Uint8Array; size: number }
    result:
      | { ok: true; width: number; height: number; bytes: Uint8Array }
      | { ok: false; problem: 'unreadable' | 'tooManyPixels' }
  }
}

const helper = helperProcess<PhotoWork>(() => ({
  name: 'photo helper',
  source: HELPER_SOURCE,
  env: {
    PHOTO_HELPER_SHARP: createRequire(import.meta.url).resolve('sharp'),
    MALLOC_ARENA_MAX: '1',
    MALLOC_MMAP_THRESHOLD_: '131072',
  },
  serialization: 'advanced',
  nodeOptions: ['--expose-gc'],
}))

export type PhotoProblem = 'notImage' | 'heic' | 'unreadable' | 'tooManyPixels'

export type ReencodedPhoto = { ok: true; photo: StoredPhoto } | { ok: false; problem: PhotoProblem }

export async function reencodePhoto(file: SpooledFile): Promise<ReencodedPhoto> {
  const type = await fileTypeFromBuffer(file.head)
  if (type?.mime === 'image/heic' || type?.mime === 'image/heif') return { ok: false, problem: 'heic' }
  if (!type || !ACCEPTED.has(type.mime)) return { ok: false, problem: 'notImage' }
  const done = await helper
    .run('reencode', { path: file.path, key: file.key, iv: file.iv, size: file.size })
    .catch((error: unknown) => {
      // The helper died on this file (or could not start): the file is refused, the page goes on.
      console.error(`[returns] ${error instanceof Error ? error.message : 'photo helper failed'}`)
      return { ok: false as const, problem: 'unreadable' as const }
    })
  if (!done.ok) return done
  const bytes = Buffer.from(done.bytes.buffer, done.bytes.byteOffset, done.bytes.byteLength)
  return { ok: true, photo: { mediaType: 'image/jpeg', width: done.width, height: done.height, bytes } }
}

export function stopPhotoWork() {
  helper.stop()
}
