import pWaitFor from 'p-wait-for';
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stopChild } from './child-process.js';
import { freePort, freePorts } from './free-port.js';

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
  return startRedisProcess(port, persistence, dir);
}

/** One `redis-server` on `port` with `args`; `dir` (if any) is deleted by `destroy`. */
async function startRedisProcess(port: number, args: string[], dir: string | undefined): Promise<OwnedRedis> {
  let child: ChildProcess | undefined;
  // A process that exits mid-run (a failed test, ^C) must not leave a redis-server behind.
  const killOnExit = () => void stopChild(child, 'SIGKILL');
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...args], {
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

const execFileAsync = promisify(execFile);

/** Runs one command on the server at 127.0.0.1:port with `redis-cli` (installed with redis-server). */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout;
}

export interface OwnedRedisClusterOptions {
  /** @default 3 */
  primaries?: number;
  /** @default 1 */
  replicasPerPrimary?: number;
  /**
   * How long a primary may be unreachable before its replica is promoted (`cluster-node-timeout`).
   * Redis's default is 15 s; a short one keeps failover tests and chaos runs short. ElastiCache sets
   * its own (not configurable there). @default 2000
   */
  nodeTimeoutMs?: number;
}

/** A node as `CLUSTER NODES` lists it. */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'primary' | 'replica';
  /** The primary's id, for a replica. */
  primaryId: string | undefined;
  /** Slot ranges served (primaries), as [first, last]. */
  slots: [number, number][];
  /** Marked failing (`fail` / `fail?`) by the node asked. */
  failing: boolean;
}

export interface OwnedRedisCluster {
  /** Every node, primaries first as created (their roles change with failovers: ask `topology()`). */
  readonly nodes: readonly OwnedRedis[];
  /** Where a cluster client starts (it discovers the rest). */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** The first node's URL (what `REDIS_URL` holds with `REDIS_CLUSTER=true`: a client's seed). */
  readonly url: string;
  /** The topology as one running node sees it. */
  topology(): Promise<ClusterNodeInfo[]>;
  /**
   * Resolves once every running node reports `cluster_state:ok`, knows every other node, sees all
   * 16,384 slots served by a primary it does not mark failing and every replica attached. After a
   * primary is killed for good, that node stays failing: restart it (it rejoins as a replica).
   */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /**
   * Moves one slot and its keys to another primary while clients keep writing, as `redis-cli
   * --cluster reshard` does slot by slot (Redis Cluster specification, "Live resharding"): the
   * target IMPORTING, the source MIGRATING (a missing key is redirected with ASK meanwhile), the
   * keys MIGRATEd in batches, then the new owner set on both and on every other primary.
   */
  moveSlot(slot: number, targetId: string): Promise<void>;
  /** Stops every node for good (SIGKILL) and deletes their directories. */
  destroy(): Promise<void>;
}

export const CLUSTER_SLOTS = 16_384;

/** Parses `CLUSTER NODES` (https://redis.io/docs/latest/commands/cluster-nodes/). */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', address = '', flags = '', primary = '-', , , , , ...slotFields] = line
        .trim()
        .split(' ');
      const flagList = flags.split(',');
      return {
        id,
        port: Number(address.split('@')[0]?.split(':').at(-1)),
        role: flagList.includes('master') ? 'primary' : 'replica',
        primaryId: primary === '-' ? undefined : primary,
        // Slots being imported or migrated show as `[slot->-id]`: not served ranges.
        slots: slotFields
          .filter((field) => !field.startsWith('['))
          .map((field) => {
            const [first, last = first] = field.split('-').map(Number) as [number, number?];
            return [first, last] as [number, number];
          }),
        failing: flagList.includes('fail') || flagList.includes('fail?'),
      };
    });
}

/**
 * A local Redis Cluster (what ElastiCache "cluster mode enabled" runs, Redis OSS or Valkey): 3
 * primaries with 1 replica each by default, on free ports, made with `redis-cli --cluster create`.
 * The one way tests, chaos and the playground (`npm start -- --redis-cluster`) get a cluster. Each
 * node is an `OwnedRedis`, so a test can kill or restart one; nodes keep `nodes.conf` in their own
 * directory, so a restarted node rejoins. No persistence: a replica holds the data (as ElastiCache).
 */
export async function startOwnedRedisCluster(
  options: OwnedRedisClusterOptions = {},
): Promise<OwnedRedisCluster> {
  const primaries = options.primaries ?? 3;
  const replicas = options.replicasPerPrimary ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000;
  const count = primaries * (1 + replicas);
  const nodes: OwnedRedis[] = [];
  try {
    for (let i = 0; i < count; i++) {
      // The bus port is the client port + 10000 unless given; a free port's + 10000 may be taken.
      // Both in one call: asked for one after another, the two can come back the same.
      const [port, busPort] = (await freePorts(2)) as [number, number];
      const dir = await mkdtemp(join(tmpdir(), 'syncbell-redis-cluster-'));
      const args = [
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-port',
        String(busPort),
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
      ];
      nodes.push(await startRedisProcess(port, args, dir));
    }
    // redis-cli makes the first `primaries` nodes primaries and gives each `replicas` of the rest.
    await execFileAsync('redis-cli', [
      '--cluster',
      'create',
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
  } catch (error) {
    await Promise.all(nodes.map((node) => node.destroy()));
    throw error;
  }
  const first = nodes[0] as OwnedRedis;
  const topologyFrom = async (port: number) => parseClusterNodes(await redisCli(port, 'CLUSTER', 'NODES'));
  const running = () => nodes.filter((node) => node.pid !== undefined);
  const healthy = async (node: OwnedRedis): Promise<boolean> => {
    try {
      const info = await redisCli(node.port, 'CLUSTER', 'INFO');
      if (!info.includes('cluster_state:ok') || !info.includes(`cluster_known_nodes:${count}`)) return false;
      const topology = await topologyFrom(node.port);
      const served = topology
        .filter((n) => n.role === 'primary' && !n.failing)
        .flatMap((n) => n.slots)
        .reduce((sum, [a, b]) => sum + b - a + 1, 0);
      // redis-cli attaches replicas after assigning slots; every node learns it by gossip.
      const attached = topology.filter((n) => n.role === 'replica' && !n.failing).length;
      return served === CLUSTER_SLOTS && attached === primaries * replicas;
    } catch {
      return false;
    }
  };
  const cluster: OwnedRedisCluster = {
    nodes,
    startupNodes: nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    url: first.url,
    async topology() {
      const node = running()[0];
      if (!node) throw new Error('no cluster node is running');
      return topologyFrom(node.port);
    },
    async waitHealthy(timeoutMs = 30_000) {
      await until(
        async () => (await Promise.all(running().map(healthy))).every(Boolean),
        timeoutMs,
        'the Redis Cluster to report cluster_state:ok on every node',
      );
    },
    async moveSlot(slot, targetId) {
      const topology = await cluster.topology();
      const source = topology.find(
        (n) => n.role === 'primary' && n.slots.some(([a, b]) => slot >= a && slot <= b),
      );
      const target = topology.find((n) => n.id === targetId && n.role === 'primary');
      if (!source || !target) throw new Error(`cannot move slot ${slot} to ${targetId}: no such primaries`);
      if (source.id === target.id) return;
      await redisCli(target.port, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', source.id);
      await redisCli(source.port, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', target.id);
      for (;;) {
        const keys = (await redisCli(source.port, 'CLUSTER', 'GETKEYSINSLOT', String(slot), '100'))
          .split('\n')
          .filter((key) => key !== '');
        if (keys.length === 0) break;
        const answer = await redisCli(
          source.port,
          'MIGRATE',
          '127.0.0.1',
          String(target.port),
          '',
          '0',
          '5000',
          'KEYS',
          ...keys,
        );
        if (!/^(OK|NOKEY)/.test(answer.trim()))
          throw new Error(`MIGRATE of slot ${slot} failed: ${answer.trim()}`);
      }
      // The target first, so it serves the slot before the source starts redirecting there.
      const primaries = topology.filter((n) => n.role === 'primary' && !n.failing);
      for (const node of [
        target,
        source,
        ...primaries.filter((n) => n.id !== source.id && n.id !== target.id),
      ])
        await redisCli(node.port, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', target.id);
    },
    async destroy() {
      await Promise.all(nodes.map((node) => node.destroy()));
    },
  };
  try {
    await cluster.waitHealthy();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
