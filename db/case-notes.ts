import { randomBytes } from 'node:crypto'
import { desc, eq } from 'drizzle-orm'
import type { PortalDatabase } from './database'
import { caseNotes } from './schema'
import { type Keyring, seal, unseal } from './seal'

/**
 * Staff notes on a case. The text is sealed with the note's own ID as
 * associated data (a ciphertext moved to another note does not open); the ID
 * is random so it can be chosen before the insert and says nothing about the
 * case. Callers write the audit entry in the same transaction.
 */

export const CASE_NOTE_MAX_LENGTH = 2000

export const noteContext = (id: string) => `case_notes:${id}:note`

export type CaseNote = { id: string; staffId: string; at: number; text: string }

export async function addCaseNote(
  db: PortalDatabase,
  keyring: Keyring,
  { humanId, staffId, text, now }: { humanId: number; staffId: string; text: string; now: Date },
): Promise<string> {
  const id = `N${randomBytes(10).toString('hex')}`
  await db
    .insert(caseNotes)
    .values({
      id,
      humanId,
      staffId,
      noteSealed: seal({ keyring, context: noteContext(id), plaintext: text }),
      createdAt: now,
    })
    .run()
  return id
}

/** Newest first; the ID breaks ties between notes written in the same millisecond. */
export async function listCaseNotes(
  db: PortalDatabase,
  keyring: Keyring,
  humanId: number,
): Promise<CaseNote[]> {
  const rows = await db
    .select()
    .from(caseNotes)
    .where(eq(caseNotes.humanId, humanId))
    .orderBy(desc(caseNotes.createdAt), desc(caseNotes.id))
    .all()
  return rows.map((row) => ({
    id: row.id,
    staffId: row.staffId,
    at: row.createdAt.getTime(),
    text: unseal({ keyring, context: noteContext(row.id), sealed: row.noteSealed }).toString('utf8'),
  }))
}
