import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { describe, expect, it } from 'vitest'
import { stripTrailingNulBytes } from '~/server/strip-nul-bytes'

describe('stripTrailingNulBytes', () => {
  it('drops the padding React leaves at the end of a chunk and keeps everything else', async () => {
    const japanese = Buffer.from('個人情報')
    const chunks = [
      Buffer.concat([japanese.subarray(0, 9), Buffer.alloc(3)]),
      japanese.subarray(9),
      Buffer.from('ok'),
    ]
    const output = await buffer(Readable.from(chunks).pipe(stripTrailingNulBytes()))
    expect(output.toString('utf8')).toBe('個人情報ok')
  })
})
