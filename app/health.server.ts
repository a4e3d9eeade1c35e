import { isDatabaseReachable } from '~db/meta'
import { sqliteDb } from './db.server'

export function checkHealth() {
  return isDatabaseReachable(sqliteDb())
}
