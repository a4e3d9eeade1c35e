import './fail-on-console-error'
import { testSecrets } from './secrets'

// Modules that read configuration at import get a valid, throwaway environment.
Object.assign(process.env, { NODE_ENV: 'test', DATABASE_URL: ':memory:', ...testSecrets() })
