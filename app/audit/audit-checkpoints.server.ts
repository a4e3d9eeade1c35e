import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import { AUDIT_HASH_BYTES, GENESIS_HASH } from '~db/audit-entry'
import { findAuditEntry, readAuditChainHead } from '~db/audit-log'
import type { PortalDatabase } from '~db/database'
import {
  type AuditSigningKey,
  type AuditVerifyingKey,
  signBytes,
  verifyBytes,
} from './audit-signing-key.server'

/**
 * Signed checkpoints: how many entries the log held and the last one's hash,
 * at a time, signed with Ed25519 and appended as one JSON line to a file
 * outside the database (as CloudTrail's digest files are). Whoever can write
 * the database can rewrite the chain from an edit onwards; they cannot make
 * an old checkpoint agree with the rewrite, nor sign a new one without the key.
 */

export type Checkpoint = {
  count: number
  /** The hash of entry `count` (hex), or 32 zero bytes for an empty log. */
  lastHash: string
  /** Epoch milliseconds. */
  at: number
  keyId: string
  /** Ed25519 over `signedCheckpointBytes`, base64. */
  signature: string
}

const HEX_HASH = new RegExp(`^[0-9a-f]{${AUDIT_HASH_BYTES * 2}}$`)

// A line longer than any checkpoint is not read further.
const MAX_LINE_LENGTH = 512

const checkpointSchema = z.strictObject({
  v: z.literal(1),
  count: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  lastHash: z
    .string()
    .max(AUDIT_HASH_BYTES * 2, { abort: true })
    .regex(HEX_HASH),
  at: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  keyId: z
    .string()
    .max(16, { abort: true })
    .regex(/^[0-9a-f]{16}$/),
  signature: z
    .string()
    .max(88, { abort: true })
    .regex(/^[A-Za-z0-9+/]{86}==$/),
})

/** What is signed: a version tag and the three facts, in a fixed order. */
export function signedCheckpointBytes({
  count,
  lastHash,
  at,
}: Pick<Checkpoint, 'count' | 'lastHash' | 'at'>) {
  return Buffer.from(JSON.stringify(['audit-checkpoint-v1', count, lastHash, at]), 'utf8')
}

export function signCheckpoint(
  key: AuditSigningKey,
  facts: Pick<Checkpoint, 'count' | 'lastHash' | 'at'>,
): Checkpoint {
  const signature = signBytes(key, signedCheckpointBytes(facts)).toString('base64')
  return { ...facts, keyId: key.verifier.keyId, signature }
}

export class AuditLogDamaged extends Error {
  override name = 'AuditLogDamaged'
}

/**
 * Signs what the log holds now and appends it to `file`. Refuses when the
 * chain head and the last entry disagree: a checkpoint must never vouch for a
 * damaged log (run `npm run audit:verify` to see what is wrong).
 */
export async function writeCheckpoint({
  db,
  key,
  file,
  now = Date.now(),
}: {
  db: PortalDatabase
  key: AuditSigningKey
  file: string
  now?: number
}): Promise<Checkpoint> {
  // The head moves only with its entry's insert, and entries never change: no transaction needed to read both.
  const { lastSequence, lastHash } = await readAuditChainHead(db)
  if (lastSequence > 0) {
    const last = await findAuditEntry(db, lastSequence)
    if (!last?.hash.equals(lastHash)) {
      throw new AuditLogDamaged(
        `the chain head names entry ${lastSequence}, which the log does not hold as it says`,
      )
    }
  } else if (!lastHash.equals(GENESIS_HASH)) {
    throw new AuditLogDamaged('the chain head of an empty log does not start the chain')
  }
  const checkpoint = signCheckpoint(key, { count: lastSequence, lastHash: lastHash.toString('hex'), at: now })
  appendCheckpointLine(file, checkpoint)
  return checkpoint
}

/**
 * One line, one `write` to a file opened for appending, so a line from another
 * process never lands inside it. The file is the portal user's alone (0600,
 * narrowed if found wider), as the database is.
 */
function appendCheckpointLine(file: string, checkpoint: Checkpoint) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const fd = openSync(file, 'a', 0o600)
  try {
    if ((fstatSync(fd).mode & 0o077) !== 0) chmodSync(file, 0o600)
    const { count, lastHash, at, keyId, signature } = checkpoint
    writeSync(fd, `${JSON.stringify({ v: 1, count, lastHash, at, keyId, signature })}\n`)
  } finally {
    closeSync(fd)
  }
}

export type CheckpointLine =
  | { line: number; ok: true; checkpoint: Checkpoint }
  | { line: number; ok: false; reason: 'unreadable' | 'other-key' | 'bad-signature' }

/**
 * Every line of the checkpoint file, each either a checkpoint signed by
 * `key` or the reason it is not one. No file: no checkpoints.
 */
export function readCheckpoints(file: string, key: AuditVerifyingKey): CheckpointLine[] {
  if (!existsSync(file)) return []
  const lines = readFileSync(file, 'utf8').split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines.map((text, index) => readCheckpointLine(text, index + 1, key))
}

function readCheckpointLine(text: string, line: number, key: AuditVerifyingKey): CheckpointLine {
  if (text.length > MAX_LINE_LENGTH) return { line, ok: false, reason: 'unreadable' }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { line, ok: false, reason: 'unreadable' }
  }
  const parsed = checkpointSchema.safeParse(json)
  if (!parsed.success) return { line, ok: false, reason: 'unreadable' }
  const { v: _version, ...checkpoint } = parsed.data
  if (checkpoint.keyId !== key.keyId) return { line, ok: false, reason: 'other-key' }
  const signed = verifyBytes(
    key,
    signedCheckpointBytes(checkpoint),
    Buffer.from(checkpoint.signature, 'base64'),
  )
  return signed ? { line, ok: true, checkpoint } : { line, ok: false, reason: 'bad-signature' }
}
