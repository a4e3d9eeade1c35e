/**
 * The return form's field names and bounds, for the page and the server
 * alike: constants only, so the page's bundle takes nothing else with them.
 */

export const OTHER_REASON_MAX = 200
export const DESCRIPTION_MAX = 2000
/** The form's file input, and the checkboxes that take a held photo off the request. */
export const PHOTO_FIELD = 'photos'
export const REMOVE_PHOTO_FIELD = 'removePhoto'
/** Photos one request holds, whether they came in one post or several. */
export const RETURN_PHOTOS_MAX = 5
