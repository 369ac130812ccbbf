import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the harness reads about a server process. */
export interface ProcessSample {
  pid: number;
  rssBytes: number;
  /** User + system CPU seconds since the process started, its waited-for children's included. */
  cpuSeconds: number;
}

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** RSS and CPU from /proc: works for any process, whatever runs in it. */
export function sampleProcess(pid: number): ProcessSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime, stime, cutime and cstime are fields 14-17.
    // The children's share keeps a sum over a process tree from falling when a child exits and its
    // parent reaps it (serverless-offline's workers): its CPU moves to the parent's cutime/cstime.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds =
      (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) /
      CLOCK_TICKS_PER_SECOND;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { pid, rssBytes: rssKb * 1024, cpuSeconds };
  } catch {
    return undefined;
  }
}

/** The last CPU figure read per pid: a process that has exited counts with it, not with 0. */
const lastCpuSeconds = new Map<number, number>();

/**
 * RSS and CPU summed over `pids`. CPU never falls between two calls over the same pids: one that
 * exited (and was reaped outside the set) keeps its last-read figure, so a difference of two sums
 * undercounts at most its CPU since the last read instead of going negative.
 */
export function sumSamples(pids: readonly number[]): { rssBytes: number; cpuSeconds: number } {
  let rssBytes = 0;
  let cpuSeconds = 0;
  for (const pid of pids) {
    const sample = sampleProcess(pid);
    if (sample) lastCpuSeconds.set(pid, sample.cpuSeconds);
    rssBytes += sample?.rssBytes ?? 0;
    cpuSeconds += sample?.cpuSeconds ?? lastCpuSeconds.get(pid) ?? 0;
  }
  return { rssBytes, cpuSeconds };
}

/** Every descendant of `rootPid` (serverless-offline runs under an osls parent). */
export function descendantPids(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(rootPid);
  return out;
}

/** A probed process's memory right after a full GC. */
export interface HeapReading {
  heapUsedBytes: number;
  /** Buffers and ArrayBuffers held by JavaScript objects, outside the V8 heap. */
  externalBytes: number;
  rssBytes: number;
}

export interface HeapProbe {
  /** Environment to give a Node server process so it can be probed. */
  env: Record<string, string>;
  /** Asks the process for its heap after a full GC; undefined when it does not answer. */
  heap(pid: number): Promise<HeapReading | undefined>;
}

export interface HeapProbeOptions {
  /**
   * Also profile every server process with V8's CPU profiler (`--cpu-prof`), one `.cpuprofile`
   * per process written into this directory when it exits (`syncbell bench --cpu-prof DIR`).
   */
  cpuProfileDir?: string;
}

export async function createHeapProbe(options: HeapProbeOptions = {}): Promise<HeapProbe> {
  const dir = await mkdtemp(join(tmpdir(), 'syncbell-probe-'));
  const probeFile = fileURLToPath(new URL('./probe.mjs', import.meta.url));
  const cpuProf = options.cpuProfileDir ? ` --cpu-prof --cpu-prof-dir=${options.cpuProfileDir}` : '';
  return {
    env: { BENCH_PROBE_DIR: dir, NODE_OPTIONS: `--expose-gc --import ${probeFile}${cpuProf}` },
    async heap(pid) {
      const file = join(dir, `${pid}.json`);
      const before = await stat(file).then(
        (s) => s.mtimeMs,
        () => 0,
      );
      try {
        process.kill(pid, 'SIGUSR2');
      } catch {
        return undefined;
      }
      for (let i = 0; i < 150; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const after = await stat(file).then(
          (s) => s.mtimeMs,
          () => 0,
        );
        if (after > before) {
          const parsed = JSON.parse(await readFile(file, 'utf8')) as HeapReading;
          return {
            heapUsedBytes: parsed.heapUsedBytes,
            externalBytes: parsed.externalBytes,
            rssBytes: parsed.rssBytes,
          };
        }
      }
      return undefined;
    },
  };
}
