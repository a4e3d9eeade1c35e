import { Transform } from 'node:stream'

/**
 * React 18.3's streaming renderer can send a whole 2 KiB buffer when a
 * multi-byte character does not fit at its end, leaving up to three NUL bytes
 * of padding in the HTML (fixed upstream only in React 19). HTML never holds
 * NUL, so they are dropped from the end of each chunk.
 */
export function stripTrailingNulBytes() {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      let end = chunk.length
      while (end > 0 && chunk[end - 1] === 0) end--
      callback(null, end === chunk.length ? chunk : chunk.subarray(0, end))
    },
  })
}
