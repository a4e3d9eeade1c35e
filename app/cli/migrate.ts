import { bootstrapCommand, databaseNamed, migrateForCommand, openForCommand } from './bootstrap'

const config = bootstrapCommand()
const opened = openForCommand(config)
try {
  await migrateForCommand(opened, config)
} finally {
  await opened.close()
}
console.log(`Database ${databaseNamed(config)} is up to date.`)
