import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createBlindIndexer } from '~db/blind-index'
import {
  CURRENT_SUITE,
  createKeyring,
  keyIdOf,
  seal,
  sealWithAesGcm,
  suiteOf,
  UnsealError,
  unseal,
} from '~db/seal'

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

describe('the two suites', () => {
  const keyring = createKeyring({ current: newKey() })
  const open = (sealed: Buffer, context = 'subjects:1:record') =>
    unseal({ keyring, context, sealed }).toString()

  it('seals new values with XChaCha20-Poly1305 (suite 2), its 24-byte nonce fresh each time', () => {
    const a = seal({ keyring, context: 'c', plaintext: 'same' })
    const b = seal({ keyring, context: 'c', plaintext: 'same' })
    expect(CURRENT_SUITE).toBe(2)
    expect([suiteOf(a), a.length]).toEqual([2, 3 + 24 + 4 + 16])
    expect(a.subarray(3, 27).equals(b.subarray(3, 27))).toBe(false)
  })

  it('still opens values sealed with AES-256-GCM (suite 1), and refuses them altered or moved', () => {
    const old = sealWithAesGcm({ keyring, context: 'subjects:1:record', plaintext: '山田 太郎' })
    expect(suiteOf(old)).toBe(1)
    expect(open(old)).toBe('山田 太郎')
    expect(() => open(old, 'subjects:2:record')).toThrow(UnsealError)
    const altered = Buffer.from(old)
    altered[altered.length - 1] = (altered[altered.length - 1] as number) ^ 1
    expect(() => open(altered)).toThrow(/altered/)
  })

  it('refuses a value whose suite byte was changed, and bytes that are no sealed value', () => {
    const sealed = seal({ keyring, context: 'subjects:1:record', plaintext: 'x' })
    const relabelled = Buffer.from(sealed)
    relabelled[0] = 1
    expect(() => open(relabelled)).toThrow(UnsealError)
    for (const bytes of [Buffer.alloc(0), Buffer.from([2, 0, 1]), Buffer.from([9, 1, 2, 3, 4, 5])]) {
      expect(() => open(bytes)).toThrow(/unknown format/)
      expect(suiteOf(bytes)).toBeUndefined()
    }
  })

  it('names an unknown key as such, in either suite', () => {
    const stranger = createKeyring({ current: newKey() })
    for (const sealed of [
      seal({ keyring: stranger, context: 'c', plaintext: 'x' }),
      sealWithAesGcm({ keyring: stranger, context: 'c', plaintext: 'x' }),
    ]) {
      expect(() => unseal({ keyring, context: 'c', sealed })).toThrow(/a key this installation does not have/)
    }
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
