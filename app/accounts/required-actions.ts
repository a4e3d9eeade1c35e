import type { RequiredAction } from '~db/schema'

/**
 * The steps a member takes before the shop reopens, in the order they are led
 * through them (Keycloak calls them required actions).
 */
export const STEP_ORDER: readonly RequiredAction[] = ['reset_password', 'reconfirm_details', 'verify_email']

export const STEP_PATHS: Record<RequiredAction, string> = {
  reset_password: '/account/password',
  reconfirm_details: '/account/details',
  verify_email: '/account/email',
}

export function firstOpenStep(open: readonly RequiredAction[]): RequiredAction | undefined {
  return STEP_ORDER.find((step) => open.includes(step))
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
