import { readdir, readFile } from 'node:fs/promises';

/**
 * Resident set size of a process, from /proc (Linux). RSS, not heap: a leak in a native buffer
 * or in socket bookkeeping shows here too. Undefined when the process is gone or /proc is absent.
 */
export async function rssBytes(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Pids below `rootPid` (children, grandchildren, ...) whose command line contains `needle`. */
export async function descendantPids(rootPid: number, needle: string): Promise<number[]> {
  const parents = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the command name in parentheses, which may itself contain spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
      commands.set(Number(entry), (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' '));
    } catch {
      // the process exited while we looked
    }
  }
  const isBelow = (pid: number): boolean => {
    for (let p = parents.get(pid), hops = 0; p !== undefined && hops < 64; p = parents.get(p), hops++)
      if (p === rootPid) return true;
    return false;
  };
  return [...parents.keys()].filter((pid) => isBelow(pid) && (commands.get(pid) ?? '').includes(needle));
}
