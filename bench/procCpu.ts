// CPU time of processes by pid, read from /proc (Linux): lets a multi-process benchmark say where the
// CPU went (bridges, the process hosting sandboxes and load, PostgreSQL) instead of guessing from cases/s.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process in ms, or null when it is gone (or there is no /proc). */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return null;
  }
}

function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * PostgreSQL processes that work for `database`: its sessions (their process title names the database)
 * plus the server's shared writers (WAL writer, checkpointer, background writer), which are few and
 * mostly flush what those sessions wrote. Sessions of other databases (other users of the server) are left out.
 */
export function postgresPidsFor(database: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const c = cmdline(pid);
    if (!c.startsWith('postgres: ')) continue;
    if (c.includes(` ${database} `) || /: (walwriter|checkpointer|background writer)/.test(c)) out.push(Number(pid));
  }
  return out;
}

/** CPU ms of a set of processes, summed; pids that disappeared count 0. */
export function cpuMsSnapshot(pids: readonly number[]): Map<number, number> {
  return new Map(pids.map((p) => [p, cpuMsOf(p) ?? 0]));
}

/** CPU spent between two snapshots (a pid new in `after` counts from 0; one gone since `before` is lost). */
export function cpuMsBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let ms = 0;
  for (const [pid, v] of after) ms += v - (before.get(pid) ?? 0);
  return ms;
}
