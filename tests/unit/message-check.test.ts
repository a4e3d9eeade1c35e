import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newMessageReference } from '~/codes/message-reference.server'
import type { EmailContent } from '~/mail/email-content.server'
import { notifyEveryone } from '~/notify/notify.server'
import { checkMessage, officialSenders } from '~/verify/message-check.server'
import type { SqliteDatabase } from '~db/client'
import { importFiles } from '~db/import/import-files'
import { findMessageByReference } from '~db/messages'
import { listOutbox } from '~db/outbox'
import { createPortalCrypto, type PortalCrypto } from '~db/portal-crypto'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { exportDirectory, MEMBER_COLUMNS, member, writeCsv } from '../support/export-files'
import { openMigratedDatabase } from '../support/migrated-database'
import { testSecrets } from '../support/secrets'

let directory: string
let db: SqliteDatabase
let crypto: PortalCrypto
let emailReference: string
let postcardReference: string
let handoutReference: string

const EMAIL = 'Hanako.Mihon@Example.jp'

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'message-check-'))
  db = openMigratedDatabase(join(directory, 'portal.db'))
  const secrets = testSecrets()
  crypto = createPortalCrypto({ dataKey: secrets.PORTAL_DATA_KEY, indexKey: secrets.PORTAL_INDEX_KEY })
  const exports = exportDirectory()
  writeCsv(join(exports, 'members.csv'), [
    MEMBER_COLUMNS,
    member({ member_id: 'M1', email: EMAIL, phone: '090-1234-5678' }),
    // No e-mail: told by postcard, at 〒150-0001.
    member({ member_id: 'M2', family_name: '葉書', birth_date: '1970-01-02', phone: '090-8765-4321' }),
  ])
  writeCsv(join(exports, 'warehouse_staff.csv'), [
    ['staff_id', 'family_name', 'given_name'],
    ['W000001', '標本', '誠'],
  ])
  await importFiles({ db, crypto, paths: [exports] })
  rmSync(exports, { recursive: true, force: true })
  const postcards = join(directory, 'postcards.csv')
  const handouts = join(directory, 'handouts.csv')
  const summary = await notifyEveryone({
    db: sqlitePortalDatabase(db),
    crypto,
    portalAddress: 'portal.example.jp',
    outputDirectory: directory,
    postcardsPath: postcards,
    handoutsPath: handouts,
  })
  expect(summary).toMatchObject({ email: 1, postcard: 1, handout: 1 })
  const [email] = await listOutbox(sqlitePortalDatabase(db), crypto.keyring, { limit: 1 })
  if (!email) throw new Error('the member was not e-mailed')
  emailReference = ((email.content as EmailContent).input as { messageReference: string }).messageReference
  const row = (path: string) =>
    (parse(readFileSync(path), { bom: true, columns: true }) as { message_reference: string }[])[0]
  postcardReference = row(postcards)?.message_reference as string
  handoutReference = row(handouts)?.message_reference as string
})

afterAll(() => {
  db.$client.close()
  rmSync(directory, { recursive: true, force: true })
})

const check = (reference: string, address: string) =>
  checkMessage({ db: sqlitePortalDatabase(db), crypto }, { reference, address })

const fullWidth = (text: string) =>
  text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))

/** One data symbol changed: the check symbol notices. */
function typo(reference: string) {
  const replacement = reference[2] === '7' ? '8' : '7'
  return `${reference.slice(0, 2)}${replacement}${reference.slice(3)}`
}

describe('checking a message reference', () => {
  it('finds the messages notify recorded, by the keyed hash of the reference', async () => {
    expect(emailReference).toMatch(/^R-[0-9A-Z]{5}-[0-9A-Z]{5}$/)
    expect(postcardReference).toMatch(/^R-[0-9A-Z]{5}-[0-9A-Z]{5}$/)
    const index = (printed: string) => crypto.lookup('message-ref', printed.replaceAll('-', '').slice(1))
    expect(await findMessageByReference(sqlitePortalDatabase(db), index(emailReference))).toMatchObject({
      channel: 'email',
    })
    expect(await findMessageByReference(sqlitePortalDatabase(db), index(postcardReference))).toMatchObject({
      channel: 'postcard',
    })
    expect(
      await findMessageByReference(sqlitePortalDatabase(db), index(newMessageReference().printed)),
    ).toBeUndefined()
  })

  it.each([
    ['as it was sent', EMAIL],
    ['in lower case', EMAIL.toLowerCase()],
    ['in upper case', EMAIL.toUpperCase()],
    ['in full width with spaces around', `　${fullWidth(EMAIL)} `],
  ])('says an e-mail was sent when given the address it went to, %s', async (_how, address) => {
    expect(await check(emailReference, address)).toBe('sent')
  })

  it('reads the reference in any case, without its prefix and hyphens, in full width', async () => {
    expect(await check(emailReference.toLowerCase(), EMAIL)).toBe('sent')
    expect(await check(emailReference.slice(2).replaceAll('-', ''), EMAIL)).toBe('sent')
    expect(await check(fullWidth(emailReference), EMAIL)).toBe('sent')
  })

  it('says an e-mail was not sent to another address, nor to a postal code', async () => {
    expect(await check(emailReference, 'hanako.mihon@example.com')).toBe('not_sent')
    expect(await check(emailReference, 'someone@example.jp')).toBe('not_sent')
    expect(await check(emailReference, '150-0001')).toBe('not_sent')
  })

  it('answers an unknown reference exactly as a wrong address', async () => {
    expect(await check(newMessageReference().printed, EMAIL)).toBe('not_sent')
    expect(await check(newMessageReference().printed, '150-0001')).toBe('not_sent')
  })

  it.each([
    ['with 〒 and hyphen', '〒150-0001'],
    ['with hyphen', '150-0001'],
    ['as 7 digits', '1500001'],
    ['in full width', '〒１５０－０００１'],
  ])('says a postcard was sent when given its postal code %s', async (_how, postalCode) => {
    expect(await check(postcardReference, postalCode)).toBe('sent')
  })

  it('says a postcard was not sent to another postal code, nor to an e-mail address', async () => {
    expect(await check(postcardReference, '150-0002')).toBe('not_sent')
    expect(await check(postcardReference, '100-0001')).toBe('not_sent')
    expect(await check(postcardReference, EMAIL)).toBe('not_sent')
  })

  it('confirms no handout by an address: it came to none', async () => {
    expect(await check(handoutReference, EMAIL)).toBe('not_sent')
    expect(await check(handoutReference, '150-0001')).toBe('not_sent')
  })

  it('catches a mistyped reference before any lookup', async () => {
    expect(await check(typo(emailReference), EMAIL)).toBe('check_the_reference')
    expect(await check(typo(postcardReference), '150-0001')).toBe('check_the_reference')
    expect(await check('R-12345', EMAIL)).toBe('check_the_reference')
    expect(await check('', EMAIL)).toBe('check_the_reference')
  })
})

describe('the official senders', () => {
  it('lists the sender address and the support address with their domains, once each', () => {
    expect(
      officialSenders({ mailFrom: 'Sekaimon <No-Reply@Sekaimon.com>', supportEmail: 'support@sekaimon.com' }),
    ).toEqual({
      addresses: ['no-reply@sekaimon.com', 'support@sekaimon.com'],
      domains: ['sekaimon.com'],
    })
    expect(
      officialSenders({ mailFrom: 'notices@portal.example', supportEmail: 'support@sekaimon.com' }),
    ).toEqual({
      addresses: ['notices@portal.example', 'support@sekaimon.com'],
      domains: ['portal.example', 'sekaimon.com'],
    })
  })
})
