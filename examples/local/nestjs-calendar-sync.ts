import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type LoadBalancer, startLoadBalancer } from '../../ecs-socketio/local/load-balancer.js';
import { freePorts, type OwnedRedis, startOwnedRedis, stopChild } from '../../dev-tools/index.js';

export interface CalendarSyncLocalOptions {
  /** The load balancer's port. @default 0 (a free port) */
  port?: number;
  /** Web containers behind the load balancer. @default 2 */
  webInstances?: number;
  /** @default process.env.REDIS_URL, else a private redis-server for this run */
  redisUrl?: string;
  /** Always run a private redis-server (a test: BullMQ's queue is shared by every worker on a Redis). @default false */
  ownRedis?: boolean;
  /** @default 1500 */
  syncDurationMs?: number;
  /** Where the processes' output goes. @default discarded */
  log?: (line: string) => void;
}

export interface CalendarSyncLocal {
  /** The page, the API and the sockets: everything goes through the load balancer. */
  readonly url: string;
  readonly webIds: string[];
  readonly workerId: string;
  /** The Redis the containers share (BullMQ's queue and syncbell's logs). */
  readonly redisUrl: string;
  readonly lb: LoadBalancer;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('../nestjs-calendar-sync/src/main.ts', import.meta.url));
// The repository root: tsx reads the decorator settings from its tsconfig.json.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Repository tooling, outside the example's package (it starts the repository's local load
 * balancer and Redis launcher, which are not part of any package). The example as it runs on
 * ECS, on one machine: two `web` containers behind the local stand-in
 * for the ALB, one `worker` container that runs the calendar syncs, one Redis.
 */
export async function startCalendarSyncLocal(
  options: CalendarSyncLocalOptions = {},
): Promise<CalendarSyncLocal> {
  const log = options.log ?? (() => undefined);
  const givenUrl = options.ownRedis ? undefined : (options.redisUrl ?? process.env.REDIS_URL);
  const owned: OwnedRedis | undefined = givenUrl === undefined ? await startOwnedRedis() : undefined;
  const redisUrl = givenUrl ?? (owned as OwnedRedis).url;
  const children: ChildProcess[] = [];
  let lb: LoadBalancer | undefined;

  const spawn = (id: string, env: Record<string, string>) =>
    new Promise<void>((resolve, reject) => {
      const child = fork(MAIN, [], {
        cwd: ROOT,
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          REDIS_URL: redisUrl,
          INSTANCE_ID: id,
          SYNC_DURATION_MS: String(options.syncDurationMs ?? 1500),
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      children.push(child);
      for (const stream of [child.stdout, child.stderr]) {
        stream?.setEncoding('utf8');
        stream?.on('data', (chunk: string) => {
          for (const line of chunk.split('\n')) if (line.trim()) log(`[${id}] ${line}`);
        });
      }
      const onExit = (code: number | null) =>
        reject(new Error(`${id} exited during start-up (code ${code})`));
      child.once('exit', onExit);
      child.on('message', (message: { type?: string }) => {
        if (message?.type !== 'ready') return;
        child.off('exit', onExit);
        resolve();
      });
    });

  const stop = async () => {
    await lb?.close();
    await Promise.all(children.map((child) => stopChild(child, 'SIGTERM')));
    await owned?.destroy();
  };

  try {
    // Distinct ports in one call (ports asked for separately can come back the same).
    const webs = (await freePorts(options.webInstances ?? 2)).map((port, i) => ({
      id: `web-${i + 1}`,
      port,
    }));
    const workerId = 'worker-1';
    await Promise.all([
      ...webs.map(({ id, port }) => spawn(id, { ROLE: 'web', PORT: String(port) })),
      spawn(workerId, { ROLE: 'worker' }),
    ]);
    lb = await startLoadBalancer({
      targets: webs.map(({ id, port }) => ({ id, url: `http://127.0.0.1:${port}` })),
      port: options.port ?? 0,
      healthCheckPath: '/readyz',
    });
    return { url: lb.url, webIds: webs.map((w) => w.id), workerId, redisUrl, lb, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
