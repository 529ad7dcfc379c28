/**
 * CPU time (user + system) of a process and all its descendants, from Linux's /proc, including
 * the time of descendants that already exited (cutime + cstime: a PostgreSQL backend that served
 * one connection and ended is counted in its postmaster's). Throughput
 * on a shared 2-core machine moves with whatever else runs; CPU milliseconds per payment moves
 * much less, so the benchmark reports both.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface Stat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return parseStat(raw);
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * ppid and CPU ticks from one /proc/<pid>/stat line: utime + stime (fields 14, 15) of the process
 * itself plus cutime + cstime (16, 17), the time of its children that exited and were waited for.
 * A live child is counted by its own line, an exited one by its parent's: each tick once.
 */
export function parseStat(raw: string): Stat {
  // The command name (field 2) may hold spaces and parentheses: parse after its last ')'.
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) };
}

/** Milliseconds of CPU used so far by `rootPid` and its live descendants. */
export function processTreeCpuMs(rootPid: number): number {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) stats.set(pid, stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  let ticks = 0;
  const pending = [rootPid];
  while (pending.length) {
    const pid = pending.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    pending.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** The PostgreSQL server's own process id (postmaster.pid's first line). */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}
