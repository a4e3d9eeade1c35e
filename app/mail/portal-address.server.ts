/** The portal's address as notices print it, for people to type: no scheme, no trailing slash. */
export function printedPortalAddress(publicUrl: string) {
  return publicUrl.replace(/^https?:\/\//, '').replace(/\/$/, '')
}
