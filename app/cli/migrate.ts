import { closeDatabase, openDatabase } from '~db/client'
import { bootstrapCommand, migrateForCommand } from './bootstrap'

const config = bootstrapCommand()
const db = openDatabase(config.DATABASE_URL)
migrateForCommand(db, config)
closeDatabase(db)
console.log(`Database ${config.DATABASE_URL} is up to date.`)
