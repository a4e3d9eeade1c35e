import { readdirSync, readFileSync } from 'node:fs'

/**
 * Resident memory of a process and all its descendants (web workers,
 * password helpers), in megabytes, from Linux's /proc; undefined elsewhere.
 */
export function processTreeRssMb(rootPid: number): number | undefined {
  return processTreeRss(rootPid)?.mb
}

/** The same, with each process's share, the primary first (then its web workers, their helpers). */
export function processTreeRss(rootPid: number): { mb: number; each: number[] } | undefined {
  const parents = new Map<number, number>()
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return undefined
  }
  for (const entry of entries) {
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      parents.set(Number(entry), Number(fields[1]))
    } catch {
      // The process ended while we looked.
    }
  }
  if (!parents.has(rootPid)) return undefined
  const inTree = new Set([rootPid])
  for (let grew = true; grew; ) {
    grew = false
    for (const [pid, parent] of parents) {
      if (!inTree.has(pid) && inTree.has(parent)) {
        inTree.add(pid)
        grew = true
      }
    }
  }
  const each = [...inTree].map((pid) => {
    try {
      const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)
      return Number(match?.[1] ?? 0) / 1024
    } catch {
      return 0 // ended meanwhile: nothing resident any more
    }
  })
  return { mb: each.reduce((sum, mb) => sum + mb, 0), each }
}
