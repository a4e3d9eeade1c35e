import { REQUIRED_ACTIONS, type RequiredAction } from '~db/schema'

/**
 * The steps a member takes before the shop reopens (Keycloak calls them
 * required actions), in the order they are led through them: the order of the
 * vocabulary, which the stored open actions come back in too.
 */
const STEP_ORDER: readonly RequiredAction[] = REQUIRED_ACTIONS

export const STEP_PATHS: Record<RequiredAction, string> = {
  reset_password: '/account/password',
  reconfirm_details: '/account/details',
  verify_email: '/account/email',
}

export function firstOpenStep(open: readonly RequiredAction[]): RequiredAction | undefined {
  return STEP_ORDER.find((step) => open.includes(step))
}

/**
 * A step some members get half-way, for something they did (a new e-mail address to confirm): the
 * indicator shows it as added and does not count it, so the "of 2" said from the start holds.
 */
export const ADDED_STEPS: readonly RequiredAction[] = ['verify_email']

/** Where a step stands in the indicator: its number of the steps every member has, or added. */
export function stepProgress(steps: readonly RequiredAction[], current: RequiredAction) {
  const counted = steps.filter((step) => !ADDED_STEPS.includes(step))
  return ADDED_STEPS.includes(current)
    ? { added: true as const }
    : { added: false as const, number: counted.indexOf(current) + 1, total: counted.length }
}

/** The steps shown in the indicator: the two every member has, and the address check while one waits. */
export function stepsOf(open: readonly RequiredAction[]): RequiredAction[] {
  return STEP_ORDER.filter((step) => step !== 'verify_email' || open.includes(step))
}

/** Where a member goes next: the first open step, or the account page once none is open. */
export function nextStepPath(open: readonly RequiredAction[]) {
  const step = firstOpenStep(open)
  return step ? STEP_PATHS[step] : '/account'
}
