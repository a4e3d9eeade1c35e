import { Trans, useTranslation } from 'react-i18next'
import { INCIDENT_DATE } from '~/incident/incident-facts'
import type { FileRefusal, PostProblems } from '~/returns/return-draft.server'
import {
  DESCRIPTION_MAX,
  OTHER_REASON_MAX,
  PHOTO_FIELD,
  REMOVE_PHOTO_FIELD,
  RETURN_PHOTOS_MAX,
} from '~/returns/return-fields'
import type { TypedReturn } from '~/returns/return-form'
import { RETURN_NUMBER_FIELD_MAX } from '~/returns/return-numbers'
import { CsrfField } from '~/ui/csrf-field'
import { useIncidentDates } from '~/ui/incident/use-incident-dates'
import { RateLimitedNotice } from '~/ui/rate-limited-notice'
import { ReturnsContact } from '~/ui/returns-contact'
import { SupportContact } from '~/ui/support-contact'
import { FieldFrame, TextField } from '~/ui/text-field'
import { RETURN_REASONS } from '~db/return-vocabulary'
import { LabelPicture } from './label-picture'
import { megabytes, PhotoPicker } from './photo-picker'
import { useUploadProgress } from './use-upload-progress'

type HeldPhoto = { id: string; width: number; height: number; byteLength: number }

/** The return form: what was typed and the photos held so far, with what the last post lacked. */
export function ReturnFormView({
  csrf,
  typed,
  photos,
  problems,
  rateLimited,
  malformed,
}: {
  csrf: string
  typed: TypedReturn | undefined
  photos: HeldPhoto[]
  problems: PostProblems | undefined
  rateLimited: { retryAt: string } | undefined
  malformed: boolean
}) {
  const { t, i18n } = useTranslation('returns')
  const { date } = useIncidentDates()
  const cutoff = date(INCIDENT_DATE)
  const upload = useUploadProgress()
  const errors = problems?.errors ?? {}
  const error = (field: string) => (errors[field] ? t(`new.errors.${errors[field]}`) : undefined)
  const room = RETURN_PHOTOS_MAX - photos.length
  return (
    <>
      <p>{t('new.intro', { date: cutoff })}</p>
      <p>{t('new.steps')}</p>
      <p className="callout">{t('new.privacy')}</p>
      {rateLimited ? <RateLimitedNotice retryAt={rateLimited.retryAt} /> : null}
      {malformed ? (
        <p className="callout callout--error" role="alert">
          {t('new.sendProblems.network')}
        </p>
      ) : null}
      {upload.problem ? (
        <p className="callout callout--error" role="alert">
          {t(`new.sendProblems.${upload.problem}`)}
        </p>
      ) : null}
      {problems ? <ProblemSummary errors={errors} refused={problems.refused} /> : null}
      <form
        method="post"
        action="/returns/new"
        encType="multipart/form-data"
        className="check-form return-form"
        noValidate
        onSubmit={upload.onSubmit}
      >
        <CsrfField token={csrf} />
        <TextField
          id="email"
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          spellCheck={false}
          label={t('new.email.label')}
          hint={t('new.email.hint')}
          error={error('email')}
          defaultValue={typed?.email}
        />
        <fieldset
          className={errors.reason ? 'choices field--invalid' : 'choices'}
          aria-describedby={errors.reason ? 'reason-error' : undefined}
        >
          <legend>{t('new.reason.legend')}</legend>
          {errors.reason ? (
            <p id="reason-error" className="field__error">
              {error('reason')}
            </p>
          ) : null}
          {RETURN_REASONS.map((reason) => (
            <label key={reason} className="choice">
              <input type="radio" name="reason" value={reason} defaultChecked={typed?.reason === reason} />
              <span>{t(`new.reasons.${reason}`, { date: cutoff })}</span>
            </label>
          ))}
        </fieldset>
        <TextField
          id="otherReason"
          name="otherReason"
          maxLength={OTHER_REASON_MAX}
          label={t('new.otherReason.label')}
          hint={t('new.otherReason.hint')}
          error={error('otherReason')}
          defaultValue={typed?.otherReason}
        />
        <div className="return-form__number">
          <TextField
            id="number"
            name="number"
            maxLength={RETURN_NUMBER_FIELD_MAX}
            autoComplete="off"
            spellCheck={false}
            label={<Trans t={t} i18nKey="new.number.label" components={{ ja: <span lang="ja" /> }} />}
            hint={`${t('new.number.hintShipping')} ${t('new.number.hintOrder', { date: cutoff })}`}
            error={error('number')}
            defaultValue={typed?.number}
          />
          <LabelPicture description={t('new.number.pictureAlt')} caption={t('new.number.pictureCaption')} />
        </div>
        <FieldFrame
          id="description"
          label={t('new.description.label')}
          hint={t('new.description.hint')}
          error={error('description')}
        >
          {(described) => (
            <textarea
              id="description"
              name="description"
              rows={5}
              maxLength={DESCRIPTION_MAX}
              defaultValue={typed?.description}
              {...described}
            />
          )}
        </FieldFrame>
        {photos.length > 0 ? (
          <fieldset className="held-photos">
            <legend>{t('new.held.heading')}</legend>
            <ul>
              {photos.map((photo, index) => (
                <li key={photo.id}>
                  <span>
                    {t('new.held.item', {
                      number: index + 1,
                      width: photo.width,
                      height: photo.height,
                      size: megabytes(photo.byteLength, i18n.language),
                    })}
                  </span>
                  <label className="choice">
                    <input type="checkbox" name={REMOVE_PHOTO_FIELD} value={photo.id} />
                    <span>{t('new.held.remove', { number: index + 1 })}</span>
                  </label>
                </li>
              ))}
            </ul>
            <p className="field__hint">
              {room > 0 ? t('new.held.more', { count: room }) : t('new.held.full')}
            </p>
          </fieldset>
        ) : null}
        <PhotoPicker
          id="photos"
          name={PHOTO_FIELD}
          room={room}
          label={t('new.photos.label')}
          hint={t('new.photos.hint')}
          error={error('photos')}
        />
        {upload.percent !== undefined ? (
          <p className="upload-progress" role="status">
            <progress
              max={100}
              value={upload.percent}
              aria-label={t('new.sending', { percent: upload.percent })}
            />
            <span>{t('new.sending', { percent: upload.percent })}</span>
          </p>
        ) : null}
        <button type="submit" className="button button--primary" disabled={upload.percent !== undefined}>
          {t('new.submit')}
        </button>
      </form>
      <ReturnsContact />
      <SupportContact />
    </>
  )
}

/** At the top of the form after a post that lacked something: each problem, linked to its field. */
function ProblemSummary({
  errors,
  refused,
}: {
  errors: Partial<Record<string, string>>
  refused: FileRefusal[]
}) {
  const { t } = useTranslation('returns')
  const fields = Object.entries(errors).filter((entry): entry is [string, string] => entry[1] !== undefined)
  return (
    <div
      className="callout callout--error problem-summary"
      role="alert"
      aria-labelledby="problem-summary-heading"
    >
      <p id="problem-summary-heading">
        <strong>{t('new.summary')}</strong>
      </p>
      <ul>
        {refused.map((file) => (
          <li key={`${file.problem}:${file.name}`}>
            <a href="#photos">{t(`new.fileProblems.${file.problem}`, { name: file.name })}</a>
          </li>
        ))}
        {fields.map(([field, message]) => (
          <li key={field}>
            <a href={`#${field === 'reason' ? 'reason-error' : field}`}>{t(`new.errors.${message}`)}</a>
          </li>
        ))}
      </ul>
    </div>
  )
}
