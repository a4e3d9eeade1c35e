import { closeDatabase, openDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { bootstrapCommand } from './bootstrap'

const config = bootstrapCommand()
const db = openDatabase(config.DATABASE_URL)
migrateDatabase(db)
closeDatabase(db)
console.log(`Database ${config.DATABASE_URL} is up to date.`)
