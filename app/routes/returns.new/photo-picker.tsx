import { type ChangeEvent, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { FieldText } from '~/ui/text-field'
import { FieldFrame } from '~/ui/text-field'

/** The limits the server applies, repeated here only to warn before a long upload; the server decides. */
const PHOTO_MAX_BYTES = 10 * 1024 * 1024
const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'image/webp']

type Chosen = {
  key: string
  name: string
  size: number
  preview?: string
  warning?: 'type' | 'size' | 'count'
}

/**
 * The file input. Without JavaScript it is the browser's own; with it, each
 * chosen photo is shown small with its size, and one that the server would
 * refuse (too large, not a photo, one too many) is flagged before it is sent.
 */
export function PhotoPicker({
  name,
  room,
  ...text
}: FieldText & { name: string /** How many more photos the request can hold. */; room: number }) {
  const { t, i18n } = useTranslation('returns')
  const [chosen, setChosen] = useState<Chosen[]>([])
  useEffect(
    () => () => {
      for (const file of chosen) if (file.preview) URL.revokeObjectURL(file.preview)
    },
    [chosen],
  )
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(event.currentTarget.files ?? [])
    setChosen(
      files.map((file, index) => {
        const warning = !ACCEPTED_TYPES.includes(file.type)
          ? 'type'
          : file.size > PHOTO_MAX_BYTES
            ? 'size'
            : index >= room
              ? 'count'
              : undefined
        return {
          key: `${index}:${file.name}`,
          name: file.name,
          size: file.size,
          ...(warning === undefined && { preview: URL.createObjectURL(file) }),
          ...(warning && { warning }),
        }
      }),
    )
  }
  const size = (bytes: number) => megabytes(bytes, i18n.language)
  return (
    <FieldFrame {...text}>
      {(described) => (
        <>
          <input
            id={text.id}
            name={name}
            type="file"
            multiple
            accept="image/jpeg,image/png,image/webp"
            onChange={onChange}
            {...described}
          />
          {chosen.length > 0 ? (
            <ul className="photo-previews" aria-live="polite">
              {chosen.map((file) => (
                <li key={file.key} className={file.warning ? 'photo-previews__item--warning' : undefined}>
                  {file.preview ? <img src={file.preview} alt="" width={64} height={64} /> : null}
                  <span>
                    {file.name} ({size(file.size)})
                    {file.warning ? (
                      <strong className="field__error"> {t(`new.chosenWarnings.${file.warning}`)}</strong>
                    ) : null}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
    </FieldFrame>
  )
}

export function megabytes(bytes: number, language: string) {
  const value = bytes / (1024 * 1024)
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value)} MB`
}
