import { isDatabaseReachable } from '~db/meta'
import { db } from './db.server'

export function checkHealth() {
  return isDatabaseReachable(db())
}
