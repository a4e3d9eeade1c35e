import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createBlindIndexer } from '~db/blind-index'
import { createKeyring, keyIdOf, seal, UnsealError, unseal } from '~db/seal'

const newKey = () => randomBytes(32).toString('base64')

describe('seal', () => {
  const keyring = createKeyring({ current: newKey() })

  it('opens what it sealed, in the same place', () => {
    const sealed = seal({ keyring, context: 'subjects:1:record', plaintext: '佐藤 花子' })
    expect(unseal({ keyring, context: 'subjects:1:record', sealed }).toString()).toBe('佐藤 花子')
  })

  it('uses a fresh IV every time, so equal values look different', () => {
    const a = seal({ keyring, context: 'c', plaintext: 'same' })
    const b = seal({ keyring, context: 'c', plaintext: 'same' })
    expect(a.equals(b)).toBe(false)
    expect(a.subarray(3, 15).equals(b.subarray(3, 15))).toBe(false)
  })

  it('refuses a value copied into another row or field', () => {
    const sealed = seal({ keyring, context: 'subjects:1:record', plaintext: 'x' })
    expect(() => unseal({ keyring, context: 'subjects:2:record', sealed })).toThrow(UnsealError)
    expect(() => unseal({ keyring, context: 'subjects:1:phone', sealed })).toThrow(UnsealError)
  })

  it('refuses a tampered value', () => {
    const sealed = seal({ keyring, context: 'c', plaintext: 'hello' })
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] as number) ^ 1
    expect(() => unseal({ keyring, context: 'c', sealed })).toThrow(UnsealError)
  })

  it('keeps opening old values after the key is rotated', () => {
    const oldKey = newKey()
    const before = createKeyring({ current: oldKey })
    const sealed = seal({ keyring: before, context: 'c', plaintext: 'kept' })
    const after = createKeyring({ current: newKey(), previous: [oldKey] })
    expect(unseal({ keyring: after, context: 'c', sealed }).toString()).toBe('kept')
    expect(keyIdOf(seal({ keyring: after, context: 'c', plaintext: 'new' }))).toBe(after.current.id)
    expect(() => unseal({ keyring: createKeyring({ current: newKey() }), context: 'c', sealed })).toThrow(
      UnsealError,
    )
  })
})

describe('blind indexes', () => {
  it('give equal values equal 128-bit digests, and depend on the key and the kind', () => {
    const key = newKey()
    const index = createBlindIndexer(key)
    const digest = index('email', 'taro@example.jp')
    expect(digest).toHaveLength(16)
    expect(index('email', 'taro@example.jp').equals(digest)).toBe(true)
    expect(index('email', 'hanako@example.jp').equals(digest)).toBe(false)
    expect(index('member-id', 'taro@example.jp').equals(digest)).toBe(false)
    expect(createBlindIndexer(newKey())('email', 'taro@example.jp').equals(digest)).toBe(false)
  })
})
