import { defineConfig } from 'drizzle-kit'

// The PostgreSQL backend's schema and migrations, kept beside SQLite's (drizzle.config.ts).
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/postgres/schema.ts',
  out: './db/postgres/migrations',
  casing: 'snake_case',
})
