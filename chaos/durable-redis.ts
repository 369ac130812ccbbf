import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ecs-socketio/local/free-port.js';
import { redisAnswers } from '../ecs-socketio/local/redis-server.js';
import { pollUntil } from './load.js';

export interface DurableRedis {
  readonly url: string;
  /** Stops the server: SIGTERM is a clean shutdown, SIGKILL a crash. Acknowledged writes survive both. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  /** Stops for good and deletes its data directory. */
  destroy(): Promise<void>;
}

/**
 * A private redis-server that keeps what it acknowledged across a restart (AOF, fsync on every
 * write). A Redis that forgets acknowledged writes on restart loses whatever a publisher appended
 * in the moment before the stop, and no client-side retry can bring that back: the durability of
 * the replay log is the store's. In AWS this is ElastiCache with a Multi-AZ replica (failover
 * keeps all but the replication lag) or MemoryDB (durable); the chaos runner measures the
 * application, so it runs on the durable kind.
 */
export async function startDurableRedis(): Promise<DurableRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'syncbell-chaos-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: 'ignore' },
    );
    const spawned = child;
    await new Promise<void>((resolve, reject) => {
      spawned.once('spawn', resolve);
      spawned.once('error', reject);
    });
    if (!(await pollUntil(() => redisAnswers('127.0.0.1', port), 10_000, 50)))
      throw new Error(`redis-server on port ${port} did not answer`);
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  // A runner that exits mid-scenario must not leave a redis-server behind.
  const onExit = () => child?.kill('SIGKILL');
  process.on('exit', onExit);
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async destroy() {
      process.off('exit', onExit);
      await stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
