import { ensureProductionBuild } from '~/cli/build'

/** The HTTP and browser tests run against the real production build. */
export default function setup() {
  ensureProductionBuild()
}
