import type { Resource } from 'i18next'
import enAccount from '~locales/en/account.json'
import enCheck from '~locales/en/check.json'
import enCommon from '~locales/en/common.json'
import enDev from '~locales/en/dev.json'
import enEmail from '~locales/en/email.json'
import enExposure from '~locales/en/exposure.json'
import enIncident from '~locales/en/incident.json'
import enMessageCheck from '~locales/en/messageCheck.json'
import enPrivacy from '~locales/en/privacy.json'
import enReturns from '~locales/en/returns.json'
import enStaff from '~locales/en/staff.json'
import jaAccount from '~locales/ja/account.json'
import jaCheck from '~locales/ja/check.json'
import jaCommon from '~locales/ja/common.json'
import jaDev from '~locales/ja/dev.json'
import jaEmail from '~locales/ja/email.json'
import jaExposure from '~locales/ja/exposure.json'
import jaIncident from '~locales/ja/incident.json'
import jaMessageCheck from '~locales/ja/messageCheck.json'
import jaPrivacy from '~locales/ja/privacy.json'
import jaReturns from '~locales/ja/returns.json'
import jaStaff from '~locales/ja/staff.json'

/** Every translation, bundled into the server build so rendering never touches the disk. */
export const resources = {
  ja: {
    common: jaCommon,
    incident: jaIncident,
    privacy: jaPrivacy,
    check: jaCheck,
    email: jaEmail,
    exposure: jaExposure,
    messageCheck: jaMessageCheck,
    dev: jaDev,
    account: jaAccount,
    staff: jaStaff,
    returns: jaReturns,
  },
  en: {
    common: enCommon,
    incident: enIncident,
    privacy: enPrivacy,
    check: enCheck,
    email: enEmail,
    exposure: enExposure,
    messageCheck: enMessageCheck,
    dev: enDev,
    account: enAccount,
    staff: enStaff,
    returns: enReturns,
  },
} satisfies Resource

export type Namespace = keyof (typeof resources)['ja']

export function isNamespace(value: string): value is Namespace {
  return Object.hasOwn(resources.ja, value)
}
