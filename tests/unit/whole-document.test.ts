import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, it } from 'vitest'
import { wholeDocument } from '~/server/whole-document'

describe('wholeDocument', () => {
  it('hands over the pieces as one document, without the padding React leaves at the end of a piece', async () => {
    const japanese = Buffer.from('個人情報')
    const pieces = [
      Buffer.concat([japanese.subarray(0, 9), Buffer.alloc(3)]),
      japanese.subarray(9),
      Buffer.from('ok'),
    ]
    const { sink, document } = wholeDocument()
    await pipeline(Readable.from(pieces), sink)
    expect((await document).toString('utf8')).toBe('個人情報ok')
  })

  it('fails the document when rendering fails, rather than handing over half a page', async () => {
    const { sink, document } = wholeDocument()
    // React's pipe() listens for the sink's errors; without a listener here the
    // error would be thrown as an uncaught exception and fail the whole run.
    const emitted = new Promise((resolve) => sink.once('error', resolve))
    sink.write(Buffer.from('<html>'))
    sink.destroy(new Error('render failed'))
    await expect(document).rejects.toThrow('render failed')
    expect(await emitted).toMatchObject({ message: 'render failed' })
  })
})
