// Worker threads do not inherit the TypeScript loader of `tsx`: register it here, then load the worker.
import { register } from 'tsx/esm/api'

register()
await import('./chunk-worker.ts')
