import type pg from 'pg'
import { type ChunkStore, cardsOutcome } from '../import/chunk-store'
import type { ExportKind } from '../import/export-kinds'
import type { PreparedCard, PreparedSubject } from '../import/prepare'
import type { PortalCrypto } from '../portal-crypto'
import { createPostgresCardWriter } from './import-cards'
import { createPostgresSubjectWriter } from './import-subjects'

/** Writes one file's prepared chunks to PostgreSQL, each chunk in one transaction. */
export function postgresChunkStore({
  pool,
  crypto,
  kind,
}: {
  pool: pg.Pool
  crypto: PortalCrypto
  kind: ExportKind
}): ChunkStore {
  if (kind === 'member_cards') {
    const cards = createPostgresCardWriter(pool)
    return async (result) =>
      cardsOutcome(result, await cards.writeBatch(result.rows.map((row) => row.prepared as PreparedCard)))
  }
  const subjects = createPostgresSubjectWriter(pool, { keyring: crypto.keyring })
  return async (result) => ({
    records: result.records,
    counts: await subjects.writeBatch(result.rows.map((row) => row.prepared as PreparedSubject)),
    problems: result.rejections,
  })
}
