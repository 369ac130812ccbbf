import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isRunning, stopChild } from '../../dev-tools/index.js';
import { mergeEncoded, type LatencyHistogram } from '../histogram.js';
import type { ChildMessage, Collected, OpenSpec, ParentMessage, Receipt, ReportedEvent } from './protocol.js';

const entry = fileURLToPath(new URL('./client-process.ts', import.meta.url));

/**
 * Loopback source addresses: the ephemeral port range (32768-60999) is per source address, so
 * more than ~28,000 connections to one server port need several. All of 127.0.0.0/8 is loopback
 * on Linux, no set-up needed.
 */
export function loopbackAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

/** Connections one client process may hold: 20,000 files hard limit, minus headroom. */
export const MAX_CONNECTIONS_PER_CLIENT_PROCESS = 9_000;

export interface FleetCollected {
  histogram: LatencyHistogram;
  received: number;
  duplicates: number;
  connected: number;
  disconnectsAtMs: number[];
  reconnectsAtMs: number[];
  receipts: Map<string, Receipt>;
  failures: number;
  failureSamples: string[];
  sessionsOpened: number;
}

export interface Fleet {
  /** Connections up after the ramp. */
  readonly connected: number;
  readonly failed: number;
  readonly failureSamples: string[];
  /** The client processes' ids. */
  readonly pids: number[];
  reset(): void;
  collect(withReceipts?: boolean): Promise<FleetCollected>;
  closeAll(): Promise<void>;
  stop(): Promise<void>;
}

function waitFor<T extends ChildMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`client process did not answer "${type}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', onMessage);
  });
}

/**
 * Client processes are kept between scenarios: forking one (tsx compiles the client on start-up)
 * costs seconds on a busy 2-core machine, more than most quick scenarios take.
 */
const pool: ChildProcess[] = [];

async function acquire(count: number): Promise<ChildProcess[]> {
  const alive = pool.splice(0).filter(isRunning);
  const fresh = Array.from({ length: Math.max(0, count - alive.length) }, () =>
    fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  );
  await Promise.all(fresh.map((child) => waitFor(child, 'ready', 30_000)));
  const all = [...alive, ...fresh];
  pool.push(...all.slice(count));
  return all.slice(0, count);
}

/** Stops every pooled client process (end of a run). */
export async function shutdownClientPool(): Promise<void> {
  await Promise.all(pool.splice(0).map((child) => stopChild(child, 'SIGKILL')));
}

export interface FleetOptions extends Omit<OpenSpec, 'userIds'> {
  /** One entry per connection (a user with 3 tabs appears 3 times). */
  userIds: string[];
  /** Called with the running total of open connections while ramping. */
  onProgress?: (connected: number) => void;
  /** With `report`: each batch of SDK client events a client process sends. */
  onEvents?: (events: ReportedEvent[]) => void;
  /** Client processes to spread the connections over. @default as few as the file limit allows */
  processes?: number;
}

/** Starts client processes, spreads the connections over them and waits until the ramp is done. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const { onProgress, onEvents, userIds, labels, processes: wanted, ...spec } = options;
  const processes = Math.max(
    1,
    Math.ceil(userIds.length / MAX_CONNECTIONS_PER_CLIENT_PROCESS),
    Math.min(wanted ?? 1, userIds.length),
  );
  const children = await acquire(processes);
  const progress = new Array<number>(processes).fill(0);
  const progressListeners = children.map((child, i) => {
    const listener = (m: ChildMessage) => {
      if (m.type === 'progress') {
        progress[i] = m.connected;
        onProgress?.(progress.reduce((a, b) => a + b, 0));
      } else if (m.type === 'events') onEvents?.(m.events);
    };
    child.on('message', listener);
    return listener;
  });
  let closed = false;
  const perProcess = Math.ceil(userIds.length / processes);
  const rampTimeoutMs = (perProcess / (spec.rampPerSecond / processes)) * 1000 + 60_000;
  const opened = await Promise.all(
    children.map((child, i) => {
      const slice = userIds.slice(i * perProcess, (i + 1) * perProcess);
      // Each process ramps its share, so together they ramp at the set rate.
      const message: ParentMessage = {
        type: 'open',
        spec: {
          ...spec,
          userIds: slice,
          ...(labels ? { labels: labels.slice(i * perProcess, (i + 1) * perProcess) } : {}),
          rampPerSecond: spec.rampPerSecond / processes,
        },
      };
      child.send(message);
      return waitFor(child, 'opened', rampTimeoutMs);
    }),
  );
  onProgress?.(opened.reduce((a, o) => a + o.connected, 0));
  const closeAll = async () => {
    closed = true;
    await Promise.all(
      children.map((child) => {
        const answer = waitFor(child, 'closed', 30_000);
        child.send({ type: 'close-all' } satisfies ParentMessage);
        return answer;
      }),
    );
  };
  const broadcast = (message: ParentMessage) => {
    for (const child of children) child.send(message);
  };
  return {
    connected: opened.reduce((a, o) => a + o.connected, 0),
    failed: opened.reduce((a, o) => a + o.failed, 0),
    failureSamples: opened.flatMap((o) => o.failureSamples).slice(0, 5),
    pids: children.flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
    reset: () => broadcast({ type: 'reset' }),
    async collect(withReceipts = false) {
      const parts: Collected[] = await Promise.all(
        children.map((child) => {
          const answer = waitFor(child, 'collected', 30_000);
          child.send({ type: 'collect', withReceipts } satisfies ParentMessage);
          return answer;
        }),
      );
      const receipts = new Map<string, Receipt>();
      for (const part of parts) {
        for (const [id, r] of Object.entries(part.receipts)) {
          const existing = receipts.get(id);
          if (!existing) receipts.set(id, { ...r });
          else {
            existing.count += r.count;
            existing.firstUs = Math.min(existing.firstUs, r.firstUs);
            existing.lastUs = Math.max(existing.lastUs, r.lastUs);
          }
        }
      }
      return {
        histogram: mergeEncoded(parts.map((p) => p.histogram)),
        received: parts.reduce((a, p) => a + p.received, 0),
        duplicates: parts.reduce((a, p) => a + p.duplicates, 0),
        connected: parts.reduce((a, p) => a + p.connected, 0),
        disconnectsAtMs: parts.flatMap((p) => p.disconnectsAtMs).sort((a, b) => a - b),
        reconnectsAtMs: parts.flatMap((p) => p.reconnectsAtMs).sort((a, b) => a - b),
        receipts,
        failures: parts.reduce((a, p) => a + p.failures, 0),
        failureSamples: parts.flatMap((p) => p.failureSamples).slice(0, 5),
        sessionsOpened: parts.reduce((a, p) => a + p.sessionsOpened, 0),
      };
    },
    closeAll,
    /** Closes what is still open and hands the processes back to the pool. */
    async stop() {
      for (const [i, child] of children.entries())
        child.off('message', progressListeners[i] as (m: ChildMessage) => void);
      if (!closed) await closeAll().catch(() => undefined);
      pool.push(...children.filter(isRunning));
    },
  };
}
