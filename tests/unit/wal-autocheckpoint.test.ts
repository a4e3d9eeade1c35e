import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  closeDatabase,
  closeDatabases,
  getDatabase,
  leaveCheckpointsToTheirThread,
  openDatabase,
} from '~db/client'

const directory = mkdtempSync(join(tmpdir(), 'wal-autocheckpoint-'))
const path = join(directory, 'portal.db')

afterAll(() => {
  closeDatabases()
  rmSync(directory, { recursive: true, force: true })
})

const autocheckpoint = (db: ReturnType<typeof openDatabase>) =>
  db.$client.pragma('wal_autocheckpoint', { simple: true })

describe('a serving process', () => {
  it("checkpoints in its connections' commits until it leaves that to the thread, then in none", () => {
    const shared = getDatabase(path)
    const command = openDatabase(path)
    expect(autocheckpoint(shared)).toBe(1000)
    expect(autocheckpoint(command)).toBe(1000)
    leaveCheckpointsToTheirThread()
    const later = openDatabase(path)
    // The shared connection was open already; both it and any opened since leave the log alone.
    expect(autocheckpoint(shared)).toBe(0)
    expect(autocheckpoint(later)).toBe(0)
    closeDatabase(command)
    closeDatabase(later)
  })
})
