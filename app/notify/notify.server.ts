import { type AtomicCsvFile, openAtomicCsv } from '~/files/atomic-csv.server'
import type { PortalDatabase } from '~db/database'
import { countHumansToNotify, findHumansToNotify } from '~db/humans'
import { listWaitingReprints, markReprintsWritten } from '~db/notice-resends'
import {
  createNotificationWriter,
  dropStagedNotifications,
  issueStagedNotifications,
  MessageReferenceTaken,
} from '~db/notifications'
import type { PortalCrypto } from '~db/portal-crypto'
import { chooseNoticeChannel } from './notice-channel.server'
import { type Notice, type PreparedNotice, prepareNotice, printerRowOf } from './notice-content.server'
import { HANDOUT_COLUMNS, newPrinterFilePath, POSTCARD_COLUMNS } from './printer-files.server'
import { narrowPortalFolder, refuseOpenFolder } from './printer-folder.server'

/**
 * `npm run notify`: every human not yet notified gets one notice with a
 * letter code, by the channel chooseNoticeChannel picks. E-mails go into the
 * outbox with their notification; postcard and handout rows are staged and
 * count only once their file is in place.
 */

export type NotifySummary = {
  dryRun: boolean
  /** People given a notice (e-mail, postcard or handout); `unreachable` ones are not among them. */
  humans: number
  email: number
  postcard: number
  handout: number
  unreachable: number
  /** Notices staff sent again on paper, written into this run's files. */
  reprints: number
  postcardFile?: string
  handoutFile?: string
}

export type NotifyProgress = {
  start: (total: number) => void
  advance: (humans: number) => void
  finish: () => void
}

export type NotifyOptions = {
  db: PortalDatabase
  crypto: PortalCrypto
  /** The portal's address as printed: PUBLIC_URL without its scheme. */
  portalAddress: string
  postcardsPath?: string
  handoutsPath?: string
  /** Where files go when no path is given. */
  outputDirectory: string
  dryRun?: boolean
  limit?: number
  batchSize?: number
  progress?: NotifyProgress
}

export async function notifyEveryone(options: NotifyOptions): Promise<NotifySummary> {
  const { db, crypto, dryRun = false, limit = Number.POSITIVE_INFINITY, batchSize = 500 } = options
  const summary: NotifySummary = {
    dryRun,
    humans: 0,
    email: 0,
    postcard: 0,
    handout: 0,
    unreachable: 0,
    reprints: 0,
  }
  // Before anything changes, and in a dry run too: a folder refused now costs nobody their code.
  const files = printerFiles(options)
  if (!dryRun) await dropStagedNotifications(db)
  const writer = createNotificationWriter(db, crypto.keyring)
  options.progress?.start(Math.min(limit, await countHumansToNotify(db)))
  try {
    let afterHumanId = 0
    while (summary.humans < limit) {
      const humans = await findHumansToNotify(db, crypto.keyring, {
        afterHumanId,
        limit: Math.min(batchSize, limit - summary.humans),
      })
      if (humans.length === 0) break
      afterHumanId = humans.at(-1)?.humanId ?? afterHumanId
      const notices: Notice[] = []
      for (const notice of humans.map(chooseNoticeChannel)) {
        summary[notice.channel]++
        // Someone with no way to reach them gets no notice: counted apart, and not against the
        // limit, or every later run with --limit would meet them first again and stall.
        if (notice.channel === 'unreachable') continue
        summary.humans++
        notices.push(notice)
      }
      if (!dryRun) await issueBatch(notices.map((notice) => prepareNotice(options, notice)))
      options.progress?.advance(humans.length)
    }
    const reprints = await listWaitingReprints(db, crypto.keyring)
    summary.reprints = reprints.length
    if (!dryRun) {
      for (const reprint of reprints) await files.write(reprint.kind, reprint.row)
      summary.postcardFile = await files.commit('postcard')
      summary.handoutFile = await files.commit('handout')
      // Only once their file is in place; a run killed before this writes them again next time.
      await markReprintsWritten(
        db,
        reprints.map((reprint) => reprint.id),
        new Date(),
      )
      await issueStagedNotifications(db)
    }
    return summary
  } catch (error) {
    files.abandon()
    throw error
  } finally {
    options.progress?.finish()
  }

  async function issueBatch(batch: PreparedNotice[]) {
    await writeWithFreshReferences(batch)
    for (const prepared of batch) {
      const row = printerRowOf(options.portalAddress, prepared)
      if (row && prepared.notice.channel !== 'email') await files.write(prepared.notice.channel, row)
    }
  }

  async function writeWithFreshReferences(batch: PreparedNotice[]) {
    for (;;) {
      try {
        await writer.writeBatch(batch.map((prepared) => prepared.row))
        return
      } catch (error) {
        if (!(error instanceof MessageReferenceTaken)) throw error
        const position = error.position
        batch[position] = prepareNotice(options, (batch[position] as PreparedNotice).notice)
      }
    }
  }
}

/**
 * Postcard and handout files, opened on their first row. A chosen path's
 * folder must already be closed to other users; the portal's own folder is
 * closed here.
 */
function printerFiles({ postcardsPath, handoutsPath, outputDirectory, dryRun }: NotifyOptions) {
  for (const chosen of [postcardsPath, handoutsPath]) if (chosen) refuseOpenFolder(chosen)
  if (!dryRun && !(postcardsPath && handoutsPath)) narrowPortalFolder(outputDirectory)
  const now = new Date()
  const paths = {
    postcard: postcardsPath ?? newPrinterFilePath(outputDirectory, 'postcards', now),
    handout: handoutsPath ?? newPrinterFilePath(outputDirectory, 'handouts', now),
  }
  const columns = { postcard: POSTCARD_COLUMNS, handout: HANDOUT_COLUMNS }
  const open: Partial<Record<'postcard' | 'handout', AtomicCsvFile>> = {}
  return {
    write: (kind: 'postcard' | 'handout', row: string[]) => {
      open[kind] ??= openAtomicCsv(paths[kind], columns[kind])
      return open[kind].write(row)
    },
    commit: async (kind: 'postcard' | 'handout') => {
      if (!open[kind]) return undefined
      await open[kind].commit()
      return paths[kind]
    },
    abandon: () => {
      for (const file of Object.values(open)) file.abandon()
    },
  }
}
