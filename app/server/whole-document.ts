import { Writable } from 'node:stream'

/**
 * Where React renders a page: its pieces are kept and handed over as one
 * buffer when it ends. React 18 flushes in 2 KiB pieces, and each piece
 * passed through a web stream to a socket write of its own cost about a tenth
 * of a page's CPU (bench:verify). No route defers data, so a page streamed in
 * pieces would reach the reader no sooner.
 *
 * React 18.3 can also send a whole piece when a multi-byte character does not
 * fit at its end, leaving up to three NUL bytes of padding (fixed upstream only
 * in React 19). HTML never holds NUL, so they are dropped from each piece's end.
 */
export function wholeDocument(): { sink: Writable; document: Promise<Buffer> } {
  const pieces: Buffer[] = []
  let settle: { resolve: (document: Buffer) => void; reject: (error: Error) => void } | undefined
  const document = new Promise<Buffer>((resolve, reject) => {
    settle = { resolve, reject }
  })
  const sink = new Writable({
    write(piece: Buffer, _encoding, callback) {
      pieces.push(withoutTrailingNulBytes(piece))
      callback()
    },
    final(callback) {
      settle?.resolve(Buffer.concat(pieces))
      callback()
    },
    destroy(error, callback) {
      if (error) settle?.reject(error)
      callback(error)
    },
  })
  return { sink, document }
}

function withoutTrailingNulBytes(piece: Buffer) {
  let end = piece.length
  while (end > 0 && piece[end - 1] === 0) end--
  return end === piece.length ? piece : piece.subarray(0, end)
}
