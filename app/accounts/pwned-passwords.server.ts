import { createHash } from 'node:crypto'

/**
 * Have I Been Pwned's Pwned Passwords range API, by k-anonymity: only the first 5 hex characters of
 * the password's SHA-1 leave the server, and padding hides how many suffixes came back.
 * An answer we could not get is 'unknown', never an exception: the offline checks still stand.
 */
export async function isPwnedPassword({
  password,
  baseUrl,
  timeoutMs = 2_000,
}: {
  password: string
  baseUrl: string
  timeoutMs?: number
}): Promise<boolean | 'unknown'> {
  const digest = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase()
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/range/${digest.slice(0, 5)}`, {
      headers: { 'Add-Padding': 'true' },
      // Also bounds reading the body, so a server that stalls mid-answer cannot hold the request.
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (response.status !== 200) return 'unknown'
    return listsSuffix({ body: await response.text(), suffix: digest.slice(5) })
  } catch {
    return 'unknown'
  }
}

// Lines are `SUFFIX:COUNT`; padding lines are random suffixes with count 0.
function listsSuffix({ body, suffix }: { body: string; suffix: string }) {
  return body.split('\n').some((line) => {
    const [candidate, count] = line.trim().split(':')
    return candidate?.toUpperCase() === suffix && Number(count) > 0
  })
}
