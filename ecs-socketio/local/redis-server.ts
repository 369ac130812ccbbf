import pWaitFor from 'p-wait-for';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './child-process.js';
import { freePort } from './free-port.js';

export interface OwnedRedisOptions {
  /** @default a free port */
  port?: number;
  /**
   * Keep every acknowledged write across a stop, even a SIGKILL (AOF with fsync on every write,
   * in a temporary directory that `destroy` deletes). A Redis that forgets acknowledged writes on
   * restart loses what a publisher appended just before the stop, and no client-side retry can
   * bring that back: the durability of the replay log is the store's. In AWS this is ElastiCache
   * with a Multi-AZ replica or MemoryDB; the chaos runner measures the application, so it runs on
   * this kind. @default false (no persistence: a restart starts empty)
   */
  durable?: boolean;
}

export interface OwnedRedis {
  readonly url: string;
  readonly port: number;
  /** The running server's process id (undefined while stopped). */
  readonly pid: number | undefined;
  /**
   * Stops the server and resolves once it has exited, also when it had already died (killed from
   * outside). SIGTERM is a clean shutdown, SIGKILL a crash; a server that ignores SIGTERM gets
   * SIGKILL after 5 s. @default 'SIGTERM'
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (with its data, when durable). */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it for good (SIGKILL) and deletes its data directory. */
  destroy(): Promise<void>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** True when something at host:port answers PING with +PONG. */
export function redisAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Waits for a condition, polling; used for process start-up, never for test assertions on timing. */
const until = (condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> =>
  pWaitFor(condition, {
    interval: 50,
    timeout: { milliseconds: timeoutMs, message: `timed out after ${timeoutMs} ms waiting for ${what}` },
  });

/** True once the child has exited, whether by itself (`exitCode`) or by a signal (`signalCode`). */
/**
 * Spawns a private `redis-server` on a free port: the one way tests, benchmarks, chaos and the
 * local stack start a Redis of their own (for those that stop, restart or crash it).
 */
export async function startOwnedRedis(options: OwnedRedisOptions = {}): Promise<OwnedRedis> {
  const port = options.port ?? (await freePort());
  const dir = options.durable ? await mkdtemp(join(tmpdir(), 'syncbell-redis-')) : undefined;
  const persistence = dir
    ? ['--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always']
    : ['--save', '', '--appendonly', 'no'];
  let child: ChildProcess | undefined;
  // A process that exits mid-run (a failed test, ^C) must not leave a redis-server behind.
  const killOnExit = () => child?.kill('SIGKILL');
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence], {
      stdio: 'ignore',
    });
    process.on('exit', killOnExit);
    const spawned = child;
    await new Promise<void>((resolve, reject) => {
      spawned.once('spawn', resolve);
      spawned.once('error', reject);
    });
    await until(() => redisAnswers('127.0.0.1', port), 10_000, `redis-server on port ${port}`);
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const running = child;
    child = undefined;
    process.off('exit', killOnExit);
    await stopChild(running, signal, 5000); // at once if already gone (SIGKILLed from outside)
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async destroy() {
      await stop('SIGKILL');
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
