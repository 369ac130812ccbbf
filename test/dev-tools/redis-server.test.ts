import pWaitFor from 'p-wait-for';
import { Cluster, Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLUSTER_SLOTS,
  type ClusterNodeInfo,
  type OwnedRedis,
  redisAnswers,
  redisCli,
  startOwnedRedis,
  startOwnedRedisCluster,
} from '../../dev-tools/redis-server.js';

const started: OwnedRedis[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.destroy()));
});

async function owned(options: { durable?: boolean } = {}): Promise<OwnedRedis> {
  const redis = await startOwnedRedis(options);
  started.push(redis);
  return redis;
}

/** Resolves once the process is gone (reaped: node has seen its exit). */
function untilGone(pid: number): Promise<void> {
  return pWaitFor(
    () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    { interval: 20 },
  );
}

async function roundTrip(url: string, write: (r: Redis) => Promise<unknown>): Promise<unknown> {
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await client.connect();
    return await write(client);
  } finally {
    client.disconnect();
  }
}

describe('startOwnedRedis', () => {
  it('stop() returns when the server was already killed with SIGKILL from outside', async () => {
    const redis = await owned();
    const pid = redis.pid as number;
    process.kill(pid, 'SIGKILL');
    await untilGone(pid);
    await expect(redis.stop()).resolves.toBeUndefined();
    expect(await redisAnswers('127.0.0.1', redis.port)).toBe(false);
  }, 60_000);

  it('starts again on the same port after a stop, empty unless durable', async () => {
    const redis = await owned();
    await roundTrip(redis.url, (r) => r.set('k', 'v'));
    await redis.restart();
    expect(await roundTrip(redis.url, (r) => r.get('k'))).toBeNull();
  });

  it('keeps acknowledged writes across a crash when durable', async () => {
    const redis = await owned({ durable: true });
    await roundTrip(redis.url, (r) => r.set('k', 'v'));
    await redis.stop('SIGKILL');
    await redis.start();
    expect(await roundTrip(redis.url, (r) => r.get('k'))).toBe('v');
  });
});

describe('startOwnedRedisCluster', () => {
  it('starts 3 primaries serving every slot with a replica each, moves a slot with its keys, and stops every node', async () => {
    const cluster = await startOwnedRedisCluster();
    const pids = cluster.nodes.map((node) => node.pid as number);
    const client = new Cluster([...cluster.startupNodes], { redisOptions: { maxRetriesPerRequest: 1 } });
    try {
      const topology = await cluster.topology();
      const primaries = topology.filter((n) => n.role === 'primary');
      const served = primaries.flatMap((n) => n.slots).reduce((sum, [a, b]) => sum + b - a + 1, 0);
      expect(primaries).toHaveLength(3);
      expect(served).toBe(CLUSTER_SLOTS);
      expect(
        topology
          .filter((n) => n.role === 'replica')
          .map((n) => n.primaryId)
          .sort(),
      ).toEqual(primaries.map((n) => n.id).sort());

      await client.set('{moved}:k', 'v');
      const slot = Number(await client.call('CLUSTER', 'KEYSLOT', '{moved}:k'));
      const target = primaries.find(
        (n) => !n.slots.some(([a, b]) => slot >= a && slot <= b),
      ) as ClusterNodeInfo;
      await cluster.moveSlot(slot, target.id);
      const owner = (await cluster.topology()).find((n) => n.id === target.id);
      expect(owner?.slots.some(([a, b]) => slot >= a && slot <= b)).toBe(true);
      expect(await redisCli(target.port, 'GET', '{moved}:k')).toBe('v\n');
    } finally {
      client.disconnect();
      await cluster.destroy();
    }
    await Promise.all(pids.map(untilGone));
  }, 60_000);
});
