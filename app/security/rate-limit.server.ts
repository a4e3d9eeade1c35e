import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { type Config, getConfig } from '~/config.server'
import { BLIND_INDEX_BYTES } from '~db/blind-index'
import type { PortalDatabase } from '~db/database'
import type { PortalCrypto } from '~db/portal-crypto'
import { clearHits, countInWindow, recordHit, windowStartOf } from '~db/rate-limits'

/**
 * Brute-force limits kept in the database, so that every process of the portal
 * counts into the same fixed windows. A limit counts requests (or failures) per
 * key (a normalised e-mail address, a client IP) and refuses a request once the
 * window already holds `max` of them: with `max: 5` the first five pass and the
 * sixth is refused, until the window ends.
 */

export type Limit = { bucket: string; max: number; windowMs: number }

export type LimitCheck = { limited: false } | { limited: true; retryAfterSeconds: number; retryAt: Date }

const HOUR = 60 * 60 * 1000
const QUARTER_HOUR = 15 * 60 * 1000
const DAY = 24 * HOUR

export type PortalLimits = {
  /** Code e-mails asked for one address (known or not), per hour. */
  emailCodesPerAddress: Limit
  /** Failed checks (a wrong code, a wrong second factor) from one client IP, per 15 minutes. */
  failuresPerIp: Limit
  /** Requests to the check pages from one client IP, per 15 minutes. */
  checksPerIp: Limit
  /** Failed sign-ins with one e-mail address (known or not), per hour. */
  signInFailuresPerAddress: Limit
  /**
   * Codes sent to a member's new addresses, per member account (whatever the address), per hour:
   * with the per-address limit above, one account cannot mail address after address.
   */
  emailChangeCodesPerMember: Limit
  /** New passwords tried (each judged against breached lists, an accepted one hashed with argon2id) per member account, per 15 minutes. */
  passwordTriesPerMember: Limit
  /** Strength readings (zxcvbn) of one member account's typing, per 15 minutes. */
  strengthChecksPerMember: Limit
  /** Posts to the member pages that send mail or cost CPU (details, password, strength), per client IP, per 15 minutes. */
  accountPostsPerIp: Limit
  /** Staff accounts one supervisor creates at /staff/people (each an argon2id hash), per hour. */
  staffCreationsPerSupervisor: Limit
  /** Code e-mails asked for one address (known or not), per day: each new code brings 5 fresh tries. */
  emailCodesPerAddressPerDay: Limit
  /** As `failuresPerIp`, per IPv6 /48, ten times as many (one /48 holds 65,536 /64s). */
  failuresPerIpv6Block: Limit
  /** As `checksPerIp`, per IPv6 /48, ten times as many. */
  checksPerIpv6Block: Limit
  /** Staff sign-in posts from one client IP, per 15 minutes (the account itself locks after 5 wrong passwords). */
  staffSignInsPerIp: Limit
  /** Failed staff sign-ins with one e-mail address (known or not), per hour: bounds the locks one can cause. */
  staffSignInFailuresPerAddress: Limit
  /** Case searches by one staff member, per hour: a person on the phone searches a few times a call. */
  caseSearchesPerStaff: Limit
  /** Notices sent again for one case, per day: each kills the code the caller may be holding. */
  noticeResendsPerCase: Limit
  /** Notices sent again by one staff member, per hour, whatever the case. */
  noticeResendsPerStaff: Limit
  /** Posts of the return form (each may carry 5 photos to re-encode) from one client IP, per hour. */
  returnPostsPerIp: Limit
  /** Photos re-encoded for one return draft, per hour, however often they are taken off and sent again. */
  returnPhotosPerDraft: Limit
}

// An IPv6 /48 may be one site or many subscribers of one provider: generous, but finite.
const IPV6_BLOCK_FACTOR = 10

export function limitsFrom(
  config: Pick<Config, 'IP_FAILURE_LIMIT' | 'IP_CHECK_LIMIT' | 'IP_ACCOUNT_LIMIT' | 'STAFF_SIGN_IN_IP_LIMIT'>,
): PortalLimits {
  return {
    emailCodesPerAddress: { bucket: 'email-codes-per-address', max: 5, windowMs: HOUR },
    failuresPerIp: { bucket: 'failures-per-ip', max: config.IP_FAILURE_LIMIT, windowMs: QUARTER_HOUR },
    checksPerIp: { bucket: 'checks-per-ip', max: config.IP_CHECK_LIMIT, windowMs: QUARTER_HOUR },
    signInFailuresPerAddress: { bucket: 'sign-in-failures-per-address', max: 10, windowMs: HOUR },
    // Every code is urgent mail, ahead of the mass notice, so no one account may queue many: a member
    // needs one, or two after a typo or a resend; ten an hour leaves room and keeps the queue short.
    emailChangeCodesPerMember: { bucket: 'email-change-codes-per-member', max: 10, windowMs: HOUR },
    // A person refused for a breached or weak password tries a few more; twenty a quarter-hour is
    // far more than anyone types and bounds the lookups, hashes and notices one session can buy.
    passwordTriesPerMember: { bucket: 'password-tries-per-member', max: 20, windowMs: QUARTER_HOUR },
    // The live meter asks at each pause in typing (300 ms): trying a few passwords takes a few dozen.
    strengthChecksPerMember: { bucket: 'strength-checks-per-member', max: 200, windowMs: QUARTER_HOUR },
    accountPostsPerIp: {
      bucket: 'account-posts-per-ip',
      max: config.IP_ACCOUNT_LIMIT,
      windowMs: QUARTER_HOUR,
    },
    // A team's intake is a few people a day; thirty an hour is a busy onboarding, and bounds the
    // argon2 work a stolen supervisor session can make the helper process do.
    staffCreationsPerSupervisor: { bucket: 'staff-creations-per-supervisor', max: 30, windowMs: HOUR },
    emailCodesPerAddressPerDay: { bucket: 'email-codes-per-address-day', max: 10, windowMs: DAY },
    failuresPerIpv6Block: {
      bucket: 'failures-per-ipv6-block',
      max: config.IP_FAILURE_LIMIT * IPV6_BLOCK_FACTOR,
      windowMs: QUARTER_HOUR,
    },
    checksPerIpv6Block: {
      bucket: 'checks-per-ipv6-block',
      max: config.IP_CHECK_LIMIT * IPV6_BLOCK_FACTOR,
      windowMs: QUARTER_HOUR,
    },
    staffSignInsPerIp: {
      bucket: 'staff-sign-ins-per-ip',
      max: config.STAFF_SIGN_IN_IP_LIMIT,
      windowMs: QUARTER_HOUR,
    },
    // Three locks' worth an hour: a person locked out by someone else is not locked out all day.
    staffSignInFailuresPerAddress: { bucket: 'staff-sign-in-failures-per-address', max: 15, windowMs: HOUR },
    // A search per half-minute, all hour long: above any real call load, far below a scrape.
    caseSearchesPerStaff: { bucket: 'case-searches-per-staff', max: 120, windowMs: HOUR },
    // A lost notice is sent again once, twice if the first goes astray; more is a loop or a lure.
    noticeResendsPerCase: { bucket: 'notice-resends-per-case', max: 3, windowMs: DAY },
    // A few calls an hour need one; twenty is a busy hour, far below mailing a cohort by hand.
    noticeResendsPerStaff: { bucket: 'notice-resends-per-staff', max: 20, windowMs: HOUR },
    // A household filing for several parcels, with a retry or two each: a second of CPU a post at worst.
    returnPostsPerIp: { bucket: 'return-posts-per-ip', max: 30, windowMs: HOUR },
    // Five photos, each replaced a few times.
    returnPhotosPerDraft: { bucket: 'return-photos-per-draft', max: 20, windowMs: HOUR },
  }
}

let configured: PortalLimits | undefined
const current = () => {
  configured ??= limitsFrom(getConfig())
  return configured
}

/**
 * The portal's limits; the configuration is read on first use, not on import.
 * One getter a limit, made from the limits' own names, so a new limit needs no
 * line here.
 */
export const limits = Object.defineProperties(
  {} as PortalLimits,
  Object.fromEntries(
    Object.keys(
      limitsFrom({ IP_FAILURE_LIMIT: 1, IP_CHECK_LIMIT: 1, IP_ACCOUNT_LIMIT: 1, STAFF_SIGN_IN_IP_LIMIT: 1 }),
    ).map((name) => [name, { enumerable: true, get: () => current()[name as keyof PortalLimits] }]),
  ),
)

/**
 * A code mailed to one address (known or not), whichever page asks for it:
 * counted under the hourly and then the daily limit of codes per address.
 */
export async function limitCodesToAddress(
  db: PortalDatabase,
  crypto: PortalCrypto,
  normalisedEmail: string,
  now = Date.now(),
): Promise<LimitCheck> {
  for (const limit of [limits.emailCodesPerAddress, limits.emailCodesPerAddressPerDay]) {
    const check = await hitLimit(db, crypto, limit, normalisedEmail, now)
    if (check.limited) return check
  }
  return { limited: false }
}

/**
 * Whether the next request would be refused (the window already holds `max`),
 * without counting one. For failure limits: check before the work, and
 * `hitLimit` only when the attempt failed.
 */
export async function checkLimit(
  db: PortalDatabase,
  crypto: PortalCrypto,
  limit: Limit,
  key: string,
  now = Date.now(),
): Promise<LimitCheck> {
  const count = await countInWindow(db, { ...counter(crypto, limit, key), windowMs: limit.windowMs, now })
  return count >= limit.max ? refused(limit, now) : { limited: false }
}

/**
 * Counts this request, then says whether it is refused: it is when the window
 * held `max` already before it. Counting and deciding in one statement means
 * that processes racing each other let through `max` requests, never more.
 */
export async function hitLimit(
  db: PortalDatabase,
  crypto: PortalCrypto,
  limit: Limit,
  key: string,
  now = Date.now(),
): Promise<LimitCheck> {
  const count = await recordHit(db, { ...counter(crypto, limit, key), windowMs: limit.windowMs, now })
  return count > limit.max ? refused(limit, now) : { limited: false }
}

/** Forgets a key's count under one limit. */
export async function clearLimit(db: PortalDatabase, crypto: PortalCrypto, limit: Limit, key: string) {
  await clearHits(db, counter(crypto, limit, key))
}

/** The longest window any limit counts in: older counters can no longer refuse anything. */
export function longestLimitWindowMs(portalLimits: PortalLimits): number {
  return Math.max(...Object.values(portalLimits).map((limit: Limit) => limit.windowMs))
}

function refused(limit: Limit, now: number): LimitCheck {
  const retryAt = windowStartOf(now, limit.windowMs) + limit.windowMs
  return {
    limited: true,
    retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)),
    retryAt: new Date(retryAt),
  }
}

const indexKeys = new WeakMap<PortalCrypto, KeyObject>()

/**
 * The key's keyed hash under the blind-index key, with the bucket in the MAC:
 * the same address gives unrelated digests here, in another bucket, and in the
 * subjects' own e-mail index, so the counters cannot be joined to anyone.
 * Blind-index kinds never begin with `rate-limit`, so no digest is shared.
 */
function counter(crypto: PortalCrypto, limit: Limit, key: string) {
  // Under the current index key only: windows are short, so counts kept under an old key soon lapse.
  let indexKey = indexKeys.get(crypto)
  if (!indexKey) {
    indexKey = createSecretKey(Buffer.from(crypto.secrets.indexKey, 'base64'))
    indexKeys.set(crypto, indexKey)
  }
  const keyIndex = createHmac('sha256', indexKey)
    .update(`rate-limit:${limit.bucket}`)
    .update('\u0000')
    .update(key)
    .digest()
    .subarray(0, BLIND_INDEX_BYTES)
  return { bucket: limit.bucket, keyIndex }
}
