import type { TestProject } from 'vitest/node'
import { startThrowawayPostgres } from './throwaway-postgres'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser's URL to the run's throw-away PostgreSQL (see throwaway-postgres.ts). */
    postgresUrl: string
  }
}

/** One PostgreSQL cluster for every file of the PostgreSQL half; each file makes its own databases in it. */
export default async function setup(project: TestProject) {
  const cluster = await startThrowawayPostgres()
  project.provide('postgresUrl', cluster.url)
  return () => cluster.stop()
}
