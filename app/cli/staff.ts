import { z } from 'zod'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { cryptoFromConfig } from '~/crypto.server'
import {
  createStaffMember,
  disableStaffMember,
  listStaff,
  resetStaffMfa,
} from '~/staff/staff-accounts.server'
import type { StaffActor } from '~/staff/staff-audit.server'
import { staffEmailSchema, staffNameSchema, staffRoleSchema } from '~/staff/staff-fields'
import { describeStaffList, staffListJson } from '~/staff/staff-list-output'
import { closeDatabase, openDatabase } from '~db/client'
import { migrateDatabase } from '~db/migrate'
import { MAX_ARGUMENT_LENGTH, readArguments } from './arguments'
import { bootstrapCommand } from './bootstrap'

/**
 * npm run staff -- create|list|disable|reset-mfa: the operator's way to make
 * and look after staff accounts. Bad arguments exit 2 with one line, an
 * e-mail address with no account (or one already taken) exits 1 with one
 * line; neither line quotes what was typed.
 */

const USAGE =
  'usage: npm run staff -- create --email E --name N --role agent|supervisor | list | disable --email E | reset-mfa --email E (each with --json)'

const email = staffEmailSchema({
  required: '--email is required',
  invalid: '--email must be an e-mail address',
})
const json = z.boolean()

const COMMANDS = {
  create: {
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    values: z.strictObject({
      email,
      name: staffNameSchema({
        required: '--name is required',
        invalid: '--name must be 1 to 100 characters of text',
      }),
      role: staffRoleSchema({
        required: '--role is required',
        invalid: '--role must be agent or supervisor',
      }),
      json,
    }),
  },
  list: { options: { json: { type: 'boolean', default: false } }, values: z.strictObject({ json }) },
  disable: {
    options: { email: { type: 'string' }, json: { type: 'boolean', default: false } },
    values: z.strictObject({ email, json }),
  },
  'reset-mfa': {
    options: { email: { type: 'string' }, json: { type: 'boolean', default: false } },
    values: z.strictObject({ email, json }),
  },
} as const

type Command = keyof typeof COMMANDS

function refuseArguments(problem: string): never {
  console.error(`${problem}; ${USAGE}`)
  process.exit(2)
}

const [commandName = '', ...rest] = process.argv.slice(2)
if (!Object.hasOwn(COMMANDS, commandName) || commandName.length > MAX_ARGUMENT_LENGTH)
  refuseArguments(commandName === '' ? 'a command is required' : 'unknown command')
const command = commandName as Command
const read = readArguments(rest, COMMANDS[command])
if (!read.ok) refuseArguments(read.error)

const config = bootstrapCommand()
const db = openDatabase(config.DATABASE_URL)
const crypto = cryptoFromConfig(config)
const actor: StaffActor = { kind: 'system', via: 'command' }
const NO_ACCOUNT = 'No staff account has that e-mail address.'

try {
  migrateDatabase(db)
  const values = read.values as { json: boolean } & Record<string, unknown>
  const print = (human: string, machine: unknown) =>
    console.log(values.json ? JSON.stringify(machine) : human)

  if (command === 'create') {
    const { email, name, role } = read.values as z.output<(typeof COMMANDS)['create']['values']>
    const created = await createStaffMember({ db, crypto, actor, email, name, role })
    if (!created.ok) {
      console.error('A staff account with that e-mail address already exists.')
      process.exitCode = 1
    } else {
      const expiresAt = created.expiresAt.toISOString()
      print(
        [
          `Created ${created.role} ${created.id} (${created.email}).`,
          `Enrolment password, shown only now: ${created.enrolmentPassword}`,
          `It signs in until ${expiresAt} (24 hours), only to set a password of their own.`,
        ].join('\n'),
        {
          id: created.id,
          email: created.email,
          role: created.role,
          enrolmentPassword: created.enrolmentPassword,
          expiresAt,
        },
      )
    }
  } else if (command === 'list') {
    const staff = listStaff({ db, crypto })
    const now = new Date()
    print(describeStaffList(staff, now), staffListJson(staff, now))
  } else if (command === 'disable') {
    const { email } = read.values as z.output<(typeof COMMANDS)['disable']['values']>
    const result = disableStaffMember({ db, crypto, actor, email: email.matched })
    if (result.outcome === 'unknown') {
      console.error(NO_ACCOUNT)
      process.exitCode = 1
    } else {
      const disabled = result.outcome === 'done'
      print(disabled ? `Disabled ${result.staffId}.` : `${result.staffId} was already disabled.`, {
        id: result.staffId,
        outcome: disabled ? 'disabled' : 'already-disabled',
      })
    }
  } else {
    const { email } = read.values as z.output<(typeof COMMANDS)['reset-mfa']['values']>
    const result = resetStaffMfa({ db, crypto, actor, email: email.matched })
    if (result.outcome === 'unknown') {
      console.error(NO_ACCOUNT)
      process.exitCode = 1
    } else {
      const { totp, recoveryCodes, passkeys } = result.removed
      print(
        `Reset the second factors of ${result.staffId}: authenticator app ${totp ? 'removed' : 'none'}, ` +
          `${recoveryCodes} recovery codes and ${passkeys} passkeys removed. They enrol again at their next sign-in.`,
        { id: result.staffId, totp, recoveryCodes, passkeys },
      )
    }
  }
} finally {
  closeDatabase(db)
  stopPasswordWork()
}
