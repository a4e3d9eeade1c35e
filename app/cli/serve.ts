import { serve } from '~/server/main'
import { bootstrapCommand } from './bootstrap'

/** Serves an existing build without building or migrating (used by `npm run dev`). */
await serve(bootstrapCommand())
