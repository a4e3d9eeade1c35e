import { bootstrapCommand } from '~/cli/bootstrap'
import { openDatabase } from './client'
import { migrateDatabase } from './migrate'

const config = bootstrapCommand()
const db = openDatabase(config.DATABASE_URL)
migrateDatabase(db)
db.$client.close()
console.log(`Database ${config.DATABASE_URL} is up to date.`)
