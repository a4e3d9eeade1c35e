/** Quoted-printable (RFC 2045) to bytes: how nodemailer writes non-ASCII text parts. */
export function decodeQuotedPrintable(text: string) {
  const soft = text.replace(/=\r?\n/g, '')
  const bytes: number[] = []
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3)
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(soft.charCodeAt(i))
    }
  }
  return Buffer.from(bytes)
}

export type MimeEntity = { headers: Map<string, string>; body: string }

/** A message or part as its unfolded headers (lower-case names) and its body. */
export function splitEntity(raw: string): MimeEntity {
  const end = raw.search(/\r?\n\r?\n/)
  const head = end < 0 ? raw : raw.slice(0, end)
  const body = end < 0 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '')
  const headers = new Map<string, string>()
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  return { headers, body }
}

/** The decoded text of every leaf part of a raw message, with its content type. */
export function mimeParts(raw: string): { type: string; text: string }[] {
  const { headers, body } = splitEntity(raw)
  const contentType = headers.get('content-type') ?? 'text/plain'
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase()
  if (type.startsWith('multipart/')) {
    const boundary = contentType.match(/boundary="?([^";]+)"?/i)?.[1]
    if (!boundary) throw new Error(`multipart without boundary: ${contentType}`)
    const sections = body.split(`--${boundary}`).slice(1, -1)
    return sections.flatMap((section) => mimeParts(section.replace(/^\r?\n/, '')))
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase()
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : Buffer.from(body)
  return [{ type, text: bytes.toString('utf8') }]
}

/** The decoded text of every text/plain part of a raw message, joined. */
export function plainTextOf(raw: string) {
  return mimeParts(raw)
    .filter((part) => part.type === 'text/plain')
    .map((part) => part.text)
    .join('\n')
}
