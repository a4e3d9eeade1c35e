import { z } from 'zod'
import { stopPasswordWork } from '~/accounts/password-work.server'
import { cryptoFromConfigForDatabase } from '~/crypto.server'
import {
  createStaffMember,
  disableStaffMember,
  listStaff,
  resetStaffMfa,
} from '~/staff/staff-accounts.server'
import type { StaffActor } from '~/staff/staff-audit.server'
import { staffEmailSchema, staffNameSchema, staffRoleSchema } from '~/staff/staff-fields'
import { describeStaffList, staffListJson } from '~/staff/staff-list-output'
import { MAX_ARGUMENT_LENGTH, readArguments } from './arguments'
import { bootstrapCommand, migrateForCommand, openForCommand } from './bootstrap'

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

function valuesOf<Values>(read: { ok: true; values: Values } | { ok: false; error: string }): Values {
  if (!read.ok) refuseArguments(read.error)
  return read.values
}

/** The command and its values, each command's typed as its schema makes them. */
function parse(name: string, argv: string[]) {
  if (name.length > MAX_ARGUMENT_LENGTH || !Object.hasOwn(COMMANDS, name))
    refuseArguments(name === '' ? 'a command is required' : 'unknown command')
  const command = name as Command
  switch (command) {
    case 'create':
      return { command, values: valuesOf(readArguments(argv, COMMANDS.create)) }
    case 'list':
      return { command, values: valuesOf(readArguments(argv, COMMANDS.list)) }
    case 'disable':
      return { command, values: valuesOf(readArguments(argv, COMMANDS.disable)) }
    case 'reset-mfa':
      return { command, values: valuesOf(readArguments(argv, COMMANDS['reset-mfa'])) }
  }
}

const [name = '', ...rest] = process.argv.slice(2)
const parsed = parse(name, rest)

const config = bootstrapCommand()
const opened = openForCommand(config)
// First: the keys are made for the database as the migrations leave it (see `cryptoForDatabase`).
await migrateForCommand(opened, config)
const crypto = await cryptoFromConfigForDatabase(config, opened.db)
const portal = opened.db
const actor: StaffActor = { kind: 'system', via: 'command' }
const NO_ACCOUNT = 'No staff account has that e-mail address.'

/** The result for a person, or for a script with --json. */
const print = (human: string, machine: unknown) =>
  console.log(parsed.values.json ? JSON.stringify(machine) : human)

function refuse(line: string) {
  console.error(line)
  process.exitCode = 1
}

try {
  switch (parsed.command) {
    case 'create': {
      const { email, name, role } = parsed.values
      const created = await createStaffMember({ db: portal, crypto, actor, email, name, role })
      if (!created.ok) {
        refuse('A staff account with that e-mail address already exists.')
        break
      }
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
      break
    }
    case 'list': {
      const staff = await listStaff({ db: portal, crypto })
      const now = new Date()
      print(describeStaffList(staff, now), staffListJson(staff, now))
      break
    }
    case 'disable': {
      const result = await disableStaffMember({
        db: portal,
        crypto,
        actor,
        email: parsed.values.email.matched,
      })
      if (result.outcome === 'unknown') {
        refuse(NO_ACCOUNT)
        break
      }
      const disabled = result.outcome === 'done'
      print(disabled ? `Disabled ${result.staffId}.` : `${result.staffId} was already disabled.`, {
        id: result.staffId,
        outcome: disabled ? 'disabled' : 'already-disabled',
      })
      break
    }
    case 'reset-mfa': {
      const result = await resetStaffMfa({ db: portal, crypto, actor, email: parsed.values.email.matched })
      if (result.outcome === 'unknown') {
        refuse(NO_ACCOUNT)
        break
      }
      const { totp, recoveryCodes, passkeys } = result.removed
      print(
        `Reset the second factors of ${result.staffId}: authenticator app ${totp ? 'removed' : 'none'}, ` +
          `${recoveryCodes} recovery codes and ${passkeys} passkeys removed. They enrol again at their next sign-in.`,
        { id: result.staffId, totp, recoveryCodes, passkeys },
      )
      break
    }
  }
} finally {
  await opened.close()
  stopPasswordWork()
}
