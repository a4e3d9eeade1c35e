import { isDatabaseReachable } from '~db/meta'
import { db } from './db.server'

export async function checkHealth(): Promise<boolean> {
  return isDatabaseReachable(db())
}
