import { z } from 'zod'
import { cryptoFromConfig } from '~/crypto.server'
import { type KeyStatus, keyIdHex, keyStatus, unopenableKeysMessage } from '~/keys/key-status.server'
import { closeDatabase, openDatabase } from '~db/client'
import { resealValues } from '~db/key-rotation'
import { migrateDatabase } from '~db/migrate'
import type { Keyring } from '~db/seal'
import { commandArguments } from './arguments'
import { bootstrapCommand, rebindForCommand } from './bootstrap'
import { createCountBar } from './count-bar'

const USAGE = 'usage: npm run keys:status -- [--json] | npm run keys:rotate'

const { values, positionals } = commandArguments(USAGE, {
  options: { json: { type: 'boolean', default: false } },
  values: z.object({ json: z.boolean() }),
  positionals: z.tuple([z.enum(['status', 'rotate'])]),
})

/**
 * npm run keys:status: how many stored values each data key and suite sealed,
 * which keys this configuration has, and what a rotation still has to do.
 * Exits 1 when some value is sealed under a key that is not configured.
 *
 * npm run keys:rotate: seals again, while the portal serves, every value not
 * under the current data key and suite (README, "Data keys"), then reports as
 * keys:status does. Safe to stop and run again.
 */
const config = bootstrapCommand()
const db = openDatabase(config.DATABASE_URL)
try {
  migrateDatabase(db)
  const keyring = cryptoFromConfig(config).keyring
  if (positionals[0] === 'rotate') await rotate(keyring)
  report(keyStatus(db, keyring))
} finally {
  closeDatabase(db)
}

/** Nothing is touched while some value is under a key this configuration lacks: the report says which. */
async function rotate(keyring: Keyring) {
  if (unopenableKeysMessage(keyStatus(db, keyring))) return
  rebindForCommand(db, config)
  const bar = createCountBar('Sealing again under the current key')
  const resealed = await resealValues(db, keyring, { progress: bar.update })
  bar.stop()
  console.error(
    `${resealed.toLocaleString('en')} values sealed again under key ${keyIdHex(keyring.current.id)}.`,
  )
}

function report(status: KeyStatus) {
  if (values.json) console.log(JSON.stringify(status))
  else {
    const number = (n: number) => n.toLocaleString('en')
    console.log('Sealed values by data key (its ID, derived from the key) and suite:')
    for (const key of status.keys) {
      const suites = Object.entries(key.suites)
        .map(([suite, count]) => `${suite} ${number(count)}`)
        .join(', ')
      console.log(`  key ${key.keyId} (${key.role}): ${number(key.values)}${suites ? ` (${suites})` : ''}`)
    }
    console.log(
      status.toReseal === 0
        ? 'Everything is sealed under the current key and suite.'
        : `${number(status.toReseal)} values are not yet under the current key and suite; the keys configured open them.`,
    )
    if (status.malformed > 0)
      console.log(`${number(status.malformed)} stored values are not sealed values at all.`)
  }
  const unopenable = unopenableKeysMessage(status)
  if (unopenable) {
    console.error(unopenable)
    process.exitCode = 1
  }
}
