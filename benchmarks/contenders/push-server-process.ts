import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../../dev-tools/index.js';

const handWrittenEntry = fileURLToPath(new URL('../servers/main.ts', import.meta.url));

export interface PushServerProcess {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  connections(): Promise<number | undefined>;
  closedTotal(): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * Forks one contender server (by default the hand-written ones' benchmarks/servers/main.ts) and
 * waits for its port. The entry answers `GET /stats` with its connection counts.
 */
export async function startPushServer(
  env: Record<string, string>,
  log: (line: string) => void,
  entry = handWrittenEntry,
  gracefulStop = false,
): Promise<PushServerProcess> {
  const child: ChildProcess = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...(process.env as Record<string, string>), ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => log(`[${env.BENCH_SERVER_KIND}] ${chunk.trim()}`));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`${env.BENCH_SERVER_KIND} server exited during start-up (code ${code})`)),
    );
    child.on('message', (message: { type?: string; port?: number }) => {
      if (message?.type === 'listening' && message.port) resolve(message.port);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const stats = async () => {
    try {
      const response = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(2000) });
      return (await response.json()) as { connections: number; closedTotal: number | null };
    } catch {
      return undefined;
    }
  };
  return {
    port,
    url,
    pid: child.pid as number,
    async connections() {
      return (await stats())?.connections;
    },
    async closedTotal() {
      return (await stats())?.closedTotal ?? undefined;
    },
    async stop() {
      // SIGTERM lets a profiled process write its profile; SIGKILL if it has not gone in 15 s.
      await stopChild(child, gracefulStop ? 'SIGTERM' : 'SIGKILL', 15_000);
    },
  };
}
