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
    sink.write(Buffer.from('<html>'))
    sink.destroy(new Error('render failed'))
    await expect(document).rejects.toThrow('render failed')
  })
})
