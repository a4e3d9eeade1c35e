import { maskCard } from '~/exposure/mask'
import type { Language } from '~/i18n/config'
import type { LimitCheck } from '~/security/rate-limit.server'
import { type PortalDatabase, withTransaction } from '~db/database'
import { saveConfirmedDetails } from '~db/member-account-updates'
import { findMemberAccount, type MemberAccount, type MemberDetails } from '~db/member-accounts'
import type { PortalCrypto } from '~db/portal-crypto'
import type { RequiredAction } from '~db/schema'
import { findCurrentCards, removeStoredCards } from '~db/stored-cards'
import { limitEmailChangeCode } from './account-limits.server'
import { sendEmailChangeCode } from './email-change.server'
import { changedFields } from './registration-changes'
import type { RegistrationDetails } from './registration-form'

/**
 * "Confirm" on the details page: the details stored (sealed), the names of
 * the changed fields written to the history, the cards the member let go
 * marked removed, all in one transaction. A new e-mail address does not
 * replace the old one yet: it waits for the code sent to it; when that code
 * would pass the limits on codes, nothing is saved and the refusal comes back.
 */
export async function confirmDetails({
  db,
  crypto,
  account,
  details,
  removeCardIds,
  language,
  portalAddress,
  now = Date.now(),
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  account: MemberAccount
  details: RegistrationDetails
  removeCardIds: readonly number[]
  language: Language
  portalAddress: string
  now?: number
}): Promise<
  { refused: Extract<LimitCheck, { limited: true }> } | { refused?: never; openActions: RequiredAction[] }
> {
  const changed = changedFields({
    before: { ...account.details, naturalId: account.memberId },
    after: details,
  })
  // A new address waits for its code. Left empty, as a member without one may (the form lets only them), it is no change.
  const newEmail = changed.includes('email') ? details.email : undefined
  const emailChanged = newEmail !== undefined
  if (newEmail !== undefined) {
    const limit = await limitEmailChangeCode({ db, crypto }, { account, address: newEmail })
    if (limit.limited) return { refused: limit }
  }
  const stored: MemberDetails = {
    familyName: details.familyName,
    givenName: details.givenName,
    familyNameKana: details.familyNameKana,
    givenNameKana: details.givenNameKana,
    birthDate: details.birthDate,
    gender: details.gender,
    email: emailChanged ? account.details.email : details.email,
    phone: details.phone,
    postalCode: details.postalCode,
    prefecture: details.prefecture,
    city: details.city,
    ...(details.addressLine1 ? { addressLine1: details.addressLine1 } : {}),
    ...(details.addressLine2 ? { addressLine2: details.addressLine2 } : {}),
  }
  const history = [
    ...changed.filter((field) => field !== 'email'),
    ...(removeCardIds.length > 0 ? ['cards'] : []),
  ]
  await withTransaction(db, async (tx) => {
    await saveConfirmedDetails(tx, crypto.keyring, {
      subjectId: account.subjectId,
      details: stored,
      changedFields: history,
      pendingEmail: newEmail,
      now,
    })
    await removeStoredCards(tx, { subjectId: account.subjectId, cardIds: removeCardIds, now })
    if (newEmail !== undefined) {
      await sendEmailChangeCode(
        { db: tx, crypto, now },
        { account: { ...account, pendingEmail: newEmail }, language, portalAddress },
      )
    }
  })
  return { openActions: (await findMemberAccount(db, crypto.keyring, account.subjectId))?.openActions ?? [] }
}

/** The cards the member still has saved, masked, with the IDs the form's keep/remove choices name. */
export async function savedCards({
  db,
  crypto,
  account,
}: {
  db: PortalDatabase
  crypto: PortalCrypto
  account: MemberAccount
}) {
  return (await findCurrentCards(db, crypto.keyring, account.subjectId)).map((card) => ({
    id: card.id,
    masked: maskCard(card) ?? '',
  }))
}
