import { readdirSync, readFileSync } from 'node:fs'

/**
 * CPU time used so far by a process and all its descendants (web workers,
 * password helpers), in milliseconds, from Linux's /proc; undefined elsewhere.
 * Unlike a rate, CPU time a request barely moves with what else the machine
 * runs, so it shows what a route costs and what rate two cores could reach.
 */
export function processTreeCpuMs(rootPid: number): number | undefined {
  const stats = new Map<number, { parent: number; cpuMs: number }>()
  let entries: string[]
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name))
  } catch {
    return undefined
  }
  const ticksPerMs = 100 / 1000 // USER_HZ is 100 on Linux
  for (const entry of entries) {
    try {
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
      const parent = Number(fields[1])
      const ticks = Number(fields[11]) + Number(fields[12])
      stats.set(Number(entry), { parent, cpuMs: ticks / ticksPerMs })
    } catch {
      // The process ended while we looked.
    }
  }
  if (!stats.has(rootPid)) return undefined
  const inTree = new Set([rootPid])
  for (let grew = true; grew; ) {
    grew = false
    for (const [pid, { parent }] of stats) {
      if (!inTree.has(pid) && inTree.has(parent)) {
        inTree.add(pid)
        grew = true
      }
    }
  }
  return [...inTree].reduce((sum, pid) => sum + (stats.get(pid)?.cpuMs ?? 0), 0)
}
