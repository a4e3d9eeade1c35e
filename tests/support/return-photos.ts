import { randomBytes } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import sharp from 'sharp'

/**
 * Files a person might attach to a return request, made by the tests: real
 * photos (one carrying GPS tags, as a phone's would), and the ones the portal
 * must refuse: a program renamed .jpg, a photo cut short, a decompression
 * bomb, a file too large.
 */

export type Upload = { name: string; type: string; bytes: Buffer }

/** The GPS position written into the photo: the test looks for it in what is stored. */
export const GPS_TAGS = {
  GPSLatitudeRef: 'N',
  GPSLatitude: '35/1 39/1 2914/100',
  GPSLongitudeRef: 'E',
  GPSLongitude: '139/1 44/1 5476/100',
}

/** A phone-like JPEG of a box, with camera and GPS metadata. */
export async function jpegWithGps(name = 'box.jpg', { width = 1600, height = 1200 } = {}): Promise<Upload> {
  const bytes = await sharp(await noise(width, height))
    .withExif({ IFD0: { Make: 'TestPhone', Model: 'Return 1' }, IFD3: GPS_TAGS })
    .jpeg({ quality: 80 })
    .toBuffer()
  return { name, type: 'image/jpeg', bytes }
}

export async function png(name = 'item.png', { width = 800, height = 600 } = {}): Promise<Upload> {
  const bytes = await sharp(await noise(width, height))
    .png()
    .toBuffer()
  return { name, type: 'image/png', bytes }
}

/** A JPEG of `megabytes` MB or a little less (noise compresses badly): a phone photo at its largest. */
export async function heavyJpeg(name: string, megabytes: number): Promise<Upload> {
  const wanted = megabytes * 1024 * 1024
  // Noise at quality 95 takes about a byte a pixel; the side is corrected until the file fits.
  let side = Math.round(Math.sqrt(wanted))
  for (;;) {
    const bytes = await sharp(await noise(side, side))
      .jpeg({ quality: 95 })
      .toBuffer()
    if (bytes.length <= wanted && bytes.length > wanted * 0.95) return { name, type: 'image/jpeg', bytes }
    side = Math.round(side * Math.sqrt((wanted * 0.975) / bytes.length))
  }
}

/** A real JPEG with its second half cut off, as an interrupted copy leaves it. */
export async function truncatedJpeg(name = 'cut.jpg'): Promise<Upload> {
  const whole = (await jpegWithGps(name)).bytes
  return { name, type: 'image/jpeg', bytes: whole.subarray(0, Math.floor(whole.length / 2)) }
}

/** The Node binary's first bytes (an ELF or Mach-O program) under a photo's name and type. */
export function renamedProgram(bytes: Buffer, name = 'photo.jpg'): Upload {
  return { name, type: 'image/jpeg', bytes }
}

/** More than 10 MB, starting like a JPEG. */
export function oversized(name = 'huge.jpg', size = 12 * 1024 * 1024): Upload {
  const bytes = randomBytes(size)
  bytes.set([0xff, 0xd8, 0xff, 0xe0], 0)
  return { name, type: 'image/jpeg', bytes }
}

/**
 * A 20000 × 20000 PNG (400 megapixels) of a few tens of kilobytes: one-bit
 * grey, every row zero, deflated. Decoded it would need 400 MB at least.
 */
export function pngBomb(name = 'bomb.png', side = 20_000): Upload {
  const rowBytes = 1 + Math.ceil(side / 8)
  const raw = Buffer.alloc(rowBytes * side)
  const header = Buffer.alloc(13)
  header.writeUInt32BE(side, 0)
  header.writeUInt32BE(side, 4)
  header.set([1, 0, 0, 0, 0], 8)
  const bytes = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
  return { name, type: 'image/png', bytes }
}

export function formWith(fields: Record<string, string>, files: Upload[], fileField = 'photos') {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  for (const file of files)
    form.append(fileField, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name)
  return form
}

async function noise(width: number, height: number) {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer()
}

function chunk(type: string, data: Buffer) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Buffer) {
  let c = 0xffffffff
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
