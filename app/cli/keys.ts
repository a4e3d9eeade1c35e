import { z } from 'zod'
import { cryptoFromConfigForDatabase } from '~/crypto.server'
import { type KeyStatus, keyIdHex, keyStatus, unopenableKeysMessage } from '~/keys/key-status.server'
import { servingProcess } from '~/server/serving-marker'
import { CURRENT_INDEX_SUITE } from '~db/blind-index'
import {
  countDigestRowsToRecompute,
  indexKeyProblem,
  indexKeyState,
  recomputeDigests,
} from '~db/index-key-rotation'
import { resealValues } from '~db/key-rotation'
import type { PortalCrypto } from '~db/portal-crypto'
import { commandArguments } from './arguments'
import { bootstrapCommand, migrateSchemaForCommand, openForCommand, rebindForCommand } from './bootstrap'
import { createCountBar } from './count-bar'

// While the portal serves the file, each batch is followed by a pause three times as long as the
// batch: on two cores the portal's two web workers, saturated, had /exposure's p99 at 182 - 221 ms
// while digests were recomputed with even pauses and at 111 ms with these (108 ms with no
// rotation at all), at a third of the pace. Without a portal nobody waits, and the pause only
// leaves the lock to other commands.
const SERVING_PAUSE_RATIO = 3

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
const opened = openForCommand(config)
const { db } = opened
try {
  await migrateSchemaForCommand(opened, config)
  const crypto = await cryptoFromConfigForDatabase(config, db)
  if (positionals[0] === 'rotate') await rotate(crypto)
  // Made again: after a rotation, lookups no longer need the key it moved from.
  report(
    await keyStatus(db, crypto.keyring),
    await indexStatus(await cryptoFromConfigForDatabase(config, db)),
  )
} finally {
  await opened.close()
}

/**
 * Data keys first, then index keys: the digests are recomputed from sealed
 * values, so those must open. Nothing is touched while some value or digest
 * is under a key this configuration lacks: the report says which.
 */
async function rotate(crypto: PortalCrypto) {
  const { keyring } = crypto
  if (unopenableKeysMessage(await keyStatus(db, keyring))) return
  if ((await indexStatus(crypto)).problem) return
  await rebindForCommand(opened, config)
  // Nodes anywhere may serve a PostgreSQL database: it is paced as a served file is.
  const serving = !opened.sqlite || servingProcess(config.DATABASE_URL) !== undefined
  const pauseRatio = serving ? SERVING_PAUSE_RATIO : 1
  if (serving)
    console.error(
      opened.sqlite
        ? `The portal is serving this database: after each batch a pause ${SERVING_PAUSE_RATIO} times as long, so its pages stay quick.`
        : `Web nodes may be serving this database: after each batch a pause ${SERVING_PAUSE_RATIO} times as long, so their pages stay quick.`,
    )
  const sealing = createCountBar('Sealing again under the current key')
  const resealed = await resealValues(db, keyring, { progress: sealing.update, pauseRatio })
  sealing.stop()
  console.error(
    `${resealed.toLocaleString('en')} values sealed again under key ${keyIdHex(keyring.current.id)}.`,
  )
  const indexing = createCountBar('Blind indexes under the current index key')
  const recomputed = await recomputeDigests(db, crypto, {
    progress: indexing.update,
    pauseRatio,
    ...(opened.sqlite && { sqlite: opened.sqlite }),
  })
  indexing.stop()
  if (recomputed > 0)
    console.error(
      `${recomputed.toLocaleString('en')} rows' blind indexes recomputed under index key ${crypto.indexKeyId}.`,
    )
}

type IndexStatus = Awaited<ReturnType<typeof indexStatus>>

/** Where the blind indexes stand: under which index key, and what a rotation still has to do. */
async function indexStatus(crypto: PortalCrypto) {
  const state = await indexKeyState(db, crypto)
  return {
    storedKeyId: state.storedKeyId,
    storedSuite: crypto.knownIndexKeys.get(state.storedKeyId) ?? null,
    currentKeyId: crypto.indexKeyId,
    currentSuite: CURRENT_INDEX_SUITE,
    // The key or suite lookups also use: the previous key's, or the current key's under the earlier suite.
    previousKeyId: crypto.previousIndexKeyId ?? null,
    previousKeyConfigured: crypto.secrets.previousIndexKey !== undefined,
    movingToKeyId: state.movingToKeyId ?? null,
    toRecompute: await countDigestRowsToRecompute(db, state, crypto),
    unsealedPrintedCodes: state.unsealedCodes,
    unsealedPrintedCodesKeyId: state.unsealedCodesKeyId ?? null,
    problem: indexKeyProblem(state, crypto) ?? null,
  }
}

function report(status: KeyStatus, index: IndexStatus) {
  if (values.json) console.log(JSON.stringify({ ...status, index }))
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
    reportIndex(index)
  }
  const unopenable = unopenableKeysMessage(status)
  if (unopenable) {
    console.error(unopenable)
    process.exitCode = 1
  }
  if (index.problem) {
    console.error(index.problem)
    process.exitCode = 1
  }
}

function reportIndex(index: IndexStatus) {
  const number = (n: number) => n.toLocaleString('en')
  console.log(
    `Blind indexes: under index key ${index.storedKeyId}${index.storedSuite ? ` (${index.storedSuite})` : ''}; current ${index.currentKeyId} (${index.currentSuite})` +
      (index.previousKeyId ? `; looked up also under ${index.previousKeyId}.` : '.'),
  )
  if (index.toRecompute > 0)
    console.log(
      `${number(index.toRecompute)} rows' blind indexes are still to recompute under ${index.currentKeyId}; values are looked up under both keys meanwhile.`,
    )
  else if (index.previousKeyConfigured && !index.unsealedPrintedCodesKeyId)
    console.log(
      'Every blind index is under the current key: PORTAL_PREVIOUS_INDEX_KEY can go (staff recovery codes made before the rotation stop working with it: npm run staff -- reset-mfa lets a staff member enrol again, with new ones).',
    )
  if (index.unsealedPrintedCodesKeyId)
    console.log(
      `${number(index.unsealedPrintedCodes)} letter codes and message references printed before their sealed copies were kept are findable only under index key ${index.unsealedPrintedCodesKeyId}.`,
    )
}
