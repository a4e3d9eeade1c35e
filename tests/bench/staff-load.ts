import { randomBytes } from 'node:crypto'
import { hashPassword } from '~/accounts/password-hash.server'
import type { EmailContent } from '~/mail/email-content.server'
import { notifyEveryone } from '~/notify/notify.server'
import type { CaseSearchKind } from '~/staff/case-search-kinds'
import { createStaffMember } from '~/staff/staff-accounts.server'
import { createStaffSessionStore } from '~/staff/staff-session.server'
import { closeDatabase, openDatabase } from '~db/client'
import { findHuman } from '~db/humans'
import { listOutbox, markSent } from '~db/outbox'
import { createPortalCrypto } from '~db/portal-crypto'
import type { Cohort } from '~db/schema'
import { sqlitePortalDatabase } from '~db/sqlite-store'
import { setStaffPassword } from '~db/staff-members'
import { recordSecondFactor } from '~db/staff-sessions'
import type { SubjectRecord } from '~db/subject-record'

/**
 * What bench:staff drives the staff console with: staff accounts and their
 * sessions in the benchmark's copy of the database, and, for each search
 * kind, values real people of the population would read out on the phone.
 */

export type SearchValue = { value: string; birthDate: string; humanId: number | null }

export const BENCH_SUPERVISOR = {
  email: 'bench.supervisor@staff.example.jp',
  name: '計測 監督',
  newPassword: 'amber lanterns drift over quiet harbours',
}

/**
 * A supervisor to sign in through the real pages, and `agents` agents signed
 * in already. Case searches are limited per staff member (120 an hour), so a
 * load of a hundred searches a second is, honestly, hundreds of agents at
 * their desks: each agent is created as `npm run staff` creates one (argon2id
 * enrolment password, audited), given a password of their own, and a session
 * made by the portal's own session store with its second factor recorded, as
 * `/staff/login/mfa` leaves it. Answers the agents' session cookies.
 */
export async function createBenchStaff({
  databasePath,
  secrets,
  agents,
}: {
  databasePath: string
  secrets: Record<string, string>
  agents: number
}) {
  const db = openDatabase(databasePath)
  const portal = sqlitePortalDatabase(db)
  const crypto = createPortalCrypto({
    dataKey: secrets.PORTAL_DATA_KEY as string,
    indexKey: secrets.PORTAL_INDEX_KEY as string,
  })
  const actor = { kind: 'system', via: 'command' } as const
  try {
    const supervisor = await createStaffMember({
      db: portal,
      crypto,
      actor,
      email: { shown: BENCH_SUPERVISOR.email, matched: BENCH_SUPERVISOR.email },
      name: BENCH_SUPERVISOR.name,
      role: 'supervisor',
    })
    if (!supervisor.ok) throw new Error('could not create the bench supervisor')
    // One password of their own for every agent: nobody signs in with it, and each hash costs 20 ms.
    const ownPasswordHash = await hashPassword(randomBytes(24).toString('base64url'))
    const store = createStaffSessionStore({
      db: portal,
      secrets: [secrets.SESSION_SECRET as string],
      isProduction: true,
    })
    const cookies: string[] = []
    for (let i = 0; i < agents; i++) {
      const email = `bench.agent.${i}@staff.example.jp`
      const created = await createStaffMember({
        db: portal,
        crypto,
        actor,
        email: { shown: email, matched: email },
        name: `計測 係${i}`,
        role: 'agent',
      })
      if (!created.ok) throw new Error(`could not create ${email}`)
      await setStaffPassword(portal, { id: created.id, passwordHash: ownPasswordHash, now: new Date() })
      const cookie = (
        (await store.start({ request: new Request('http://localhost/'), staffId: created.id })).split(
          ';',
        )[0] as string
      ).trim()
      const session = await store.live(new Request('http://localhost/', { headers: { cookie } }))
      if (!session) throw new Error('a staff session just made was not found')
      await recordSecondFactor(portal, { idHash: session.idHash, factor: 'totp', now: Date.now() })
      cookies.push(cookie)
    }
    return { supervisorEnrolmentPassword: supervisor.enrolmentPassword, agentCookies: cookies }
  } finally {
    closeDatabase(db)
  }
}

const NATURAL_ID_KINDS: Partial<Record<CaseSearchKind, Cohort>> = {
  'member-id': 'member',
  'buyer-id': 'auction_buyer',
  'employee-id': 'employee',
  'warehouse-id': 'warehouse_staff',
}

/**
 * Up to `perKind` values for each search kind, of people spread over the
 * whole population, opened from their sealed records with the population's
 * keys. The population's notices were sent long ago and a sent e-mail's
 * content is dropped, so letter codes and message references come from
 * `perKind` more people notified here by the notify run's own code, their
 * e-mails then marked delivered as the population's were (left pending, the
 * server's sender would send them during the measurements). A kind the
 * population has none of is left out, and the caller says so.
 */
export async function searchValues({
  databasePath,
  secrets,
  perKind,
  noticeDirectory,
}: {
  databasePath: string
  secrets: Record<string, string>
  perKind: number
  /** Where the notify run may write its postcard and handout files. */
  noticeDirectory: string
}): Promise<Partial<Record<CaseSearchKind, SearchValue[]>>> {
  const db = openDatabase(databasePath)
  const crypto = createPortalCrypto({
    dataKey: secrets.PORTAL_DATA_KEY as string,
    indexKey: secrets.PORTAL_INDEX_KEY as string,
  })
  const { keyring } = crypto
  try {
    const counts = new Map(
      (
        db.$client.prepare('select cohort, count(*) as count from subjects group by cohort').all() as {
          cohort: Cohort
          count: number
        }[]
      ).map(({ cohort, count }) => [cohort, count]),
    )
    // Every n-th record of a cohort, so that the values come from all over its table.
    const sampled = async (cohort: Cohort, has: (record: SubjectRecord) => boolean) => {
      const step = Math.max(1, Math.floor((counts.get(cohort) ?? 0) / (perKind * 3)))
      const rows = db.$client
        .prepare('select human_id from subjects where cohort = ? and id % ? = 0 order by id limit ?')
        .pluck()
        .all(cohort, step, perKind * 3) as number[]
      const found: { humanId: number; record: SubjectRecord }[] = []
      for (const humanId of rows) {
        const human = await findHuman(sqlitePortalDatabase(db), keyring, humanId)
        const record = human?.records.find((r) => r.cohort === cohort)?.record
        if (record && has(record)) found.push({ humanId, record })
        if (found.length === perKind) break
      }
      return found
    }
    const values: Partial<Record<CaseSearchKind, SearchValue[]>> = {}
    const put = (kind: CaseSearchKind, list: SearchValue[]) => {
      if (list.length > 0) values[kind] = list
    }
    const members = await sampled('member', (record) => Boolean(record.email && record.phone))
    put(
      'email',
      members.map(({ humanId, record }) => ({ value: record.email ?? '', birthDate: '', humanId })),
    )
    put(
      'phone',
      members.map(({ humanId, record }) => ({ value: record.phone ?? '', birthDate: '', humanId })),
    )
    for (const [kind, cohort] of Object.entries(NATURAL_ID_KINDS) as [CaseSearchKind, Cohort][]) {
      put(
        kind,
        (await sampled(cohort, () => true)).map(({ humanId, record }) => ({
          value: record.naturalId,
          birthDate: '',
          humanId,
        })),
      )
    }
    put(
      'kana-birth',
      (await sampled('member', (record) => Boolean(record.familyNameKana && record.birthDate))).map(
        ({ humanId, record }) => ({
          value: record.familyNameKana ?? '',
          birthDate: record.birthDate ?? '',
          humanId,
        }),
      ),
    )
    const portal = sqlitePortalDatabase(db)
    await notifyEveryone({
      db: portal,
      crypto,
      portalAddress: 'portal.example.jp',
      outputDirectory: noticeDirectory,
      limit: perKind,
    })
    const sentAt = Date.now()
    const notices: Extract<EmailContent, { kind: 'notification' }>['input'][] = []
    for (const entry of await listOutbox(portal, keyring, { limit: perKind })) {
      const content = entry.content as EmailContent | null
      if (content?.kind !== 'notification') continue
      await markSent(portal, entry.id, sentAt)
      notices.push(content.input)
    }
    put(
      'letter-code',
      notices.map((notice) => ({ value: notice.letterCode, birthDate: '', humanId: null })),
    )
    put(
      'message-ref',
      notices.map((notice) => ({ value: notice.messageReference, birthDate: '', humanId: null })),
    )
    return values
  } finally {
    closeDatabase(db)
  }
}
