import { useTranslation } from 'react-i18next'
import type { ReturnRequestView } from '~/returns/staff-return-request.server'

/**
 * The photos, each at its own size (so the page does not jump as they load)
 * and shrunk to the column; each opens whole in its own tab from its link.
 */
export function ReturnPhotos({
  reference,
  photos,
}: {
  reference: string
  photos: ReturnRequestView['photos']
}) {
  const { t } = useTranslation('staff')
  return (
    <section aria-labelledby="return-photos-heading">
      <h2 id="return-photos-heading">{t('returnView.photosHeading')}</h2>
      {photos.length === 0 ? <p>{t('returnView.noPhotos')}</p> : null}
      <ul className="return-photos">
        {photos.map((photo, position) => {
          const src = `/staff/returns/${reference}/photos/${photo.id}`
          const alt = t('returnView.photoAlt', { number: position + 1, count: photos.length })
          return (
            <li key={photo.id}>
              <a href={src}>
                <img src={src} width={photo.width} height={photo.height} alt={alt} loading="lazy" />
              </a>
            </li>
          )
        })}
      </ul>
    </section>
  )
}
