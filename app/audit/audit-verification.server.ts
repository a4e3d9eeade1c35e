import { auditEntryHash, GENESIS_HASH } from '~db/audit-entry'
import { readAuditChain, readAuditChainHead } from '~db/audit-log'
import { type PortalDatabase, withTransaction } from '~db/database'
import { type Checkpoint, readCheckpoints } from './audit-checkpoints.server'
import type { AuditVerifyingKey } from './audit-signing-key.server'

/**
 * Checks the audit log end to end: the chain recomputed from the first entry,
 * the head row against the last entry, and every checkpoint's signature and
 * that the log still holds what it covered. The chain alone catches an edit
 * or a deletion; a tail re-chained after an edit, or cut off with the head
 * moved back, verifies as a chain, and only a checkpoint signed before it
 * disagrees.
 */

export type AuditProblem =
  /** No entry with this number, though a later one exists. */
  | { kind: 'missing'; entry: number }
  /** The entry's content no longer gives its hash. */
  | { kind: 'edited'; entry: number }
  /** The entry does not name the previous entry's hash: one of the two was changed. */
  | { kind: 'unlinked'; entry: number }
  /** The log ends before `through`, which the head row or a checkpoint says it held. */
  | { kind: 'truncated'; entry: number; through: number }
  /** A sound chain that differs from a checkpoint: entries `entry`..`through` were rewritten. */
  | { kind: 'rewritten'; entry: number; through: number }
  /** The head row does not name the last entry (entries added or changed outside the portal). */
  | { kind: 'head-mismatch'; entry: number }
  /** A line of the checkpoint file that is not a checkpoint signed by the configured key. */
  | { kind: 'checkpoint-refused'; line: number; reason: 'unreadable' | 'other-key' | 'bad-signature' }

export type AuditVerification = {
  ok: boolean
  entries: number
  checkpoints: number
  latestCheckpoint: Checkpoint | null
  /** First the earliest entry concerned, then refused checkpoint lines. */
  problems: AuditProblem[]
  /** One line: a summary, or the first problem. */
  message: string
}

export async function verifyAuditLog({
  db,
  key,
  checkpointFile,
}: {
  db: PortalDatabase
  key: AuditVerifyingKey
  checkpointFile: string
}): Promise<AuditVerification> {
  const lines = readCheckpoints(checkpointFile, key)
  const checkpoints = lines.flatMap((line) => (line.ok ? [line.checkpoint] : []))
  const wanted = new Set(checkpoints.map((checkpoint) => checkpoint.count))
  const hashes = new Map<number, string>([[0, GENESIS_HASH.toString('hex')]])

  // One read transaction: the head and the entries as of one moment, whatever is appended meanwhile.
  const walked = await withTransaction(db, (tx) => walkChain(tx, wanted, hashes), { mode: 'deferred' })
  const { head, count, previous } = walked
  const problems: AuditProblem[] = walked.problems
  if (problems.length === 0) {
    if (head.lastSequence > count) {
      problems.push({ kind: 'truncated', entry: count + 1, through: head.lastSequence })
    } else if (head.lastSequence < count) {
      problems.push({ kind: 'head-mismatch', entry: head.lastSequence + 1 })
    } else if (!head.lastHash.equals(previous)) {
      problems.push({ kind: 'head-mismatch', entry: count })
    }
    problems.push(...checkpointProblems(checkpoints, hashes, count))
  }
  problems.sort((a, b) => problemOrder(a) - problemOrder(b))
  for (const line of lines) {
    if (!line.ok) problems.push({ kind: 'checkpoint-refused', line: line.line, reason: line.reason })
  }

  const latestCheckpoint = checkpoints.reduce<Checkpoint | null>(
    (latest, checkpoint) => (latest && latest.at >= checkpoint.at ? latest : checkpoint),
    null,
  )
  const result = { entries: count, checkpoints: checkpoints.length, latestCheckpoint, problems }
  const [first] = problems
  return first
    ? { ok: false, ...result, message: describeProblem(first) }
    : { ok: true, ...result, message: summary(result) }
}

/** Recomputes the chain from the first entry; stops at the first entry that is not as it should be. */
async function walkChain(db: PortalDatabase, wanted: Set<number>, hashes: Map<number, string>) {
  const head = await readAuditChainHead(db)
  const problems: AuditProblem[] = []
  let count = 0
  let previous: Buffer = GENESIS_HASH
  for await (const entry of readAuditChain(db)) {
    const expected = count + 1
    if (entry.sequence !== expected) {
      problems.push({ kind: 'missing', entry: expected })
      break
    }
    if (!entry.previousHash.equals(previous)) {
      problems.push({ kind: 'unlinked', entry: expected })
      break
    }
    if (!auditEntryHash(previous, entry).equals(entry.hash)) {
      problems.push({ kind: 'edited', entry: expected })
      break
    }
    if (wanted.has(expected)) hashes.set(expected, entry.hash.toString('hex'))
    previous = entry.hash
    count = expected
  }
  return { head, count, previous, problems }
}

/**
 * What each checkpoint says against the chain as it stands. A rewrite from
 * entry e on leaves every checkpoint below e agreeing, so the first entry
 * that can have changed is one past the highest checkpoint that still agrees.
 */
function checkpointProblems(checkpoints: Checkpoint[], hashes: Map<number, string>, count: number) {
  const agreeing = checkpoints
    .filter((checkpoint) => checkpoint.count <= count && hashes.get(checkpoint.count) === checkpoint.lastHash)
    .map((checkpoint) => checkpoint.count)
  const problems: AuditProblem[] = []
  for (const checkpoint of checkpoints) {
    if (checkpoint.count > count) {
      problems.push({ kind: 'truncated', entry: count + 1, through: checkpoint.count })
    } else if (hashes.get(checkpoint.count) !== checkpoint.lastHash) {
      const lastAgreeing = Math.max(0, ...agreeing.filter((agreed) => agreed < checkpoint.count))
      problems.push({ kind: 'rewritten', entry: lastAgreeing + 1, through: checkpoint.count })
    }
  }
  return problems
}

function problemOrder(problem: AuditProblem) {
  return problem.kind === 'checkpoint-refused' ? Number.MAX_SAFE_INTEGER : problem.entry
}

export function describeProblem(problem: AuditProblem): string {
  switch (problem.kind) {
    case 'missing':
      return `Entry ${problem.entry} is missing: it was deleted.`
    case 'edited':
      return `Entry ${problem.entry} was edited: its content no longer gives its hash.`
    case 'unlinked':
      return problem.entry === 1
        ? 'Entry 1 does not start the chain: it was changed.'
        : `Entry ${problem.entry} does not follow entry ${problem.entry - 1}: one of them was changed.`
    case 'truncated':
      return `Entry ${problem.entry} is missing: the log ends before entry ${problem.through}, which it held.`
    case 'rewritten':
      return problem.entry === problem.through
        ? `Entry ${problem.entry} was rewritten: it differs from a signed checkpoint.`
        : `Entry ${problem.entry} or one after it up to ${problem.through} was rewritten: they differ from a signed checkpoint.`
    case 'head-mismatch':
      return `Entry ${problem.entry} is not the one the chain head names: the log was changed outside the portal.`
    case 'checkpoint-refused':
      return `Checkpoint line ${problem.line} is refused: ${REFUSALS[problem.reason]}.`
  }
}

const REFUSALS = {
  unreadable: 'it is not a checkpoint',
  'other-key': 'it is signed by another key',
  'bad-signature': 'its signature does not verify',
} as const

function summary({
  entries,
  checkpoints,
  latestCheckpoint,
}: Pick<AuditVerification, 'entries' | 'checkpoints' | 'latestCheckpoint'>) {
  const chain = `Audit log verified: ${entries.toLocaleString('en')} entries, chain intact`
  if (!latestCheckpoint) return `${chain}, no checkpoints yet.`
  return (
    `${chain}, ${checkpoints.toLocaleString('en')} signed checkpoints agree ` +
    `(the latest covers ${latestCheckpoint.count.toLocaleString('en')} entries, ${new Date(latestCheckpoint.at).toISOString()}).`
  )
}
