import { z } from 'zod'
import { cryptoFromConfig } from '~/crypto.server'
import { keyStatus, unopenableKeysMessage } from '~/keys/key-status.server'
import { closeDatabase, openDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { commandArguments } from './arguments'
import { bootstrapCommand } from './bootstrap'

const USAGE = 'usage: npm run keys:status -- [--json]'

const { values } = commandArguments(USAGE, {
  options: { json: { type: 'boolean', default: false } },
  values: z.object({ json: z.boolean() }),
  positionals: z.tuple([z.enum(['status'])]),
})

/**
 * npm run keys:status: how many stored values each data key and suite sealed,
 * which keys this configuration has, and what a rotation still has to do.
 * Exits 1 when some value is sealed under a key that is not configured.
 */
const config = bootstrapCommand()
const db = openDatabase(config.DATABASE_URL)
try {
  migrateDatabase(db)
  const status = keyStatus(db, cryptoFromConfig(config).keyring)
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
} finally {
  closeDatabase(db)
}
