import { type ClusterNodeInfo, type OwnedRedisCluster, pollUntil, redisCli } from '../../dev-tools/index.js';
import { ADAPTER_KEY } from '../../ecs-socketio/src/adapter.js';
import type { RedisClientKind } from '../../ecs-socketio/src/redis-client.js';
import { replayLogKey } from '../../ecs-socketio/src/replay-log.js';
import { userRoom } from '../../ecs-socketio/src/rooms.js';
import { type Check, check, type Scenario } from '../scenario.js';
import { type EcsFaultEnv, type EcsFaultOutcome, type EcsFaultPlan, ecsFaultScenario } from './run-fault.js';

/** How long a topology change may take to be absorbed before the scenario calls it failed. */
const RESTORE_TIMEOUT_MS = 30_000;

/** Each container subscriber's SSUBSCRIBE channels, summed over the primaries that serve them (CLIENT LIST). */
async function shardedSubscriptions(cluster: OwnedRedisCluster): Promise<Map<string, number>> {
  const primaries = (await cluster.topology()).filter((n) => n.role === 'primary' && !n.failing);
  const counts = new Map<string, number>();
  for (const node of primaries) {
    const list = await redisCli(node.port, 'CLIENT', 'LIST').catch(() => '');
    for (const line of list.split('\n')) {
      // The containers' subscribers are named `syncbell:<container>:sub`; ioredis names each
      // per-primary sharded subscriber connection `ioredis-cluster(ssubscriber):<that name>`,
      // node-redis gives every node connection of the cluster client the name itself (those not
      // subscribed count 0).
      const name = /\bname=(?:ioredis-cluster\(ssubscriber\):)?syncbell:(ecs-\d+):sub\b/.exec(line)?.[1];
      if (name) counts.set(name, (counts.get(name) ?? 0) + Number(/\bssub=(\d+)/.exec(line)?.[1] ?? 0));
    }
  }
  return counts;
}

/**
 * How many of `users` have their room channel subscribed in the shard that owns its slot: on its
 * primary or one of its replicas (Redis propagates an SPUBLISH to every node of the shard, so a
 * subscriber left on a demoted primary still receives), asked with `PUBSUB SHARDNUMSUB`. A channel
 * left on a node of another shard (after a slot migration) does not count.
 */
async function usersListening(cluster: OwnedRedisCluster, users: string[]): Promise<number> {
  const topology = (await cluster.topology()).filter((n) => !n.failing);
  // One PUBSUB SHARDNUMSUB per node for all the channels its shard owns (one redis-cli each: at
  // hundreds of users, a process per user made one poll outlast the restore timeout on a busy machine).
  const listening = new Set<string>();
  for (const owner of topology.filter((n) => n.role === 'primary')) {
    const owned = users.filter((userId) => servesSlot(owner, slotByUser.get(userId) as number));
    if (owned.length === 0) continue;
    const channels = owned.map((userId) => `${ADAPTER_KEY}#/#${userRoom(userId)}#`);
    for (const node of topology.filter((n) => n.id === owner.id || n.primaryId === owner.id)) {
      const reply = await redisCli(node.port, 'PUBSUB', 'SHARDNUMSUB', ...channels).catch(() => '');
      const lines = reply.trim().split('\n');
      owned.forEach((userId, index) => {
        if (Number(lines[index * 2 + 1] ?? 0) >= 1) listening.add(userId);
      });
    }
  }
  return listening.size;
}

/** Each user's slot (the log key's, which is the room channel's: the same hash tag). */
const slotByUser = new Map<string, number>();

const show = (counts: Map<string, number>) =>
  [...counts]
    .sort()
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');

const slotOf = async (cluster: OwnedRedisCluster, key: string) =>
  Number((await redisCli(cluster.nodes[0]?.port as number, 'CLUSTER', 'KEYSLOT', key)).trim());

const servesSlot = (node: ClusterNodeInfo, slot: number) =>
  node.slots.some(([a, b]) => slot >= a && slot <= b);

/** The fleet's users by the primary that holds their slot (their log, their room's channel). */
async function usersByPrimary(env: EcsFaultEnv, cluster: OwnedRedisCluster) {
  const topology = await cluster.topology();
  const primaries = topology.filter((n) => n.role === 'primary' && !n.failing);
  const slots = new Map<string, number>();
  for (const userId of env.users) {
    const slot = await slotOf(cluster, replayLogKey(userId));
    slots.set(userId, slot);
    slotByUser.set(userId, slot);
  }
  const byPrimary = primaries
    .map((primary) => ({
      primary,
      users: env.users.filter((u) => servesSlot(primary, slots.get(u) as number)),
    }))
    .sort((a, b) => b.users.length - a.users.length);
  return { topology, byPrimary, slots };
}

/**
 * Waits until the room channel of every user with a connected client is subscribed on the primary
 * that owns its slot (a user whose client is reconnecting has no socket, so no channel, until it
 * is back), timing it; also reads each container subscriber's channel count for the report.
 */
async function restoreOf(
  cluster: OwnedRedisCluster,
  env: EcsFaultEnv,
  before: Map<string, number>,
  startedAtMs: number,
): Promise<{ restored: boolean; ms: number; detail: string }> {
  let listening = 0;
  let users: string[] = [];
  const restored = await pollUntil(
    async () => {
      users = [
        ...new Set(env.fleet.members.filter((m) => m.client.state === 'connected').map((m) => m.userId)),
      ];
      listening = await usersListening(cluster, users);
      return listening === users.length;
    },
    RESTORE_TIMEOUT_MS,
    50,
  );
  const ms = Date.now() - startedAtMs;
  const after = await shardedSubscriptions(cluster);
  return {
    restored,
    ms,
    detail: `${listening} of ${users.length} connected users' channels subscribed in the shard that owns them, ${ms} ms after the fault (SSUBSCRIBE channels per container subscriber before: ${show(before)}; after: ${show(after)})`,
  };
}

/**
 * Both scenarios' stack and load on `client`: 2 containers on a private local cluster, users
 * publishing. The full scale is the main chaos run's (`npm run chaos`, docs/RELIABILITY.md), kept
 * to 60 users (8 of them moved) so the four cluster runs (two per client) add about eight minutes to it.
 */
const clusterLoad = (client: RedisClientKind) =>
  ({
    stack: {
      redisCluster: true,
      redisClient: client,
      env: { MAX_CONNECTIONS_PER_ADDRESS: '100000' },
    },
    users: { quick: 12, full: CLUSTER_USERS },
    clientsPerUser: { quick: 1, full: 1 },
    perSecond: { quick: 30, full: 100 },
    settleTimeoutMs: 45_000,
  }) satisfies Partial<EcsFaultPlan>;

const CLUSTER_USERS = 60;

function clusterOf(env: EcsFaultEnv): OwnedRedisCluster {
  const cluster = env.ecs.stack.ownedRedisCluster;
  if (!cluster) throw new Error('the cluster scenarios run on the local stack with redisCluster: true');
  return cluster;
}

/**
 * Issue 25: a manual failover (`CLUSTER FAILOVER` on the replica of the primary that holds the most
 * users' slots: what ElastiCache does for a node replacement or a "test failover"), then that
 * shard's new primary killed outright (SIGKILL: its replica is promoted after
 * `cluster-node-timeout`, 2 s here). Redis 7 drops a demoted primary's sharded subscribers, so each
 * container must find the new primary and SSUBSCRIBE there again.
 */
export function clusterFailover(client: RedisClientKind): Scenario {
  const id = `ecs-redis-cluster-failover-${client}`;
  const title = `Redis Cluster failover, manual then a primary killed (${client})`;
  return ecsFaultScenario({
    id,
    title,
    fault: (scale) =>
      `3 primaries + 3 replicas, sharded adapter on ${CLUSTER_CLIENT[client]}; CLUSTER FAILOVER on the replica of the primary holding the most users, then SIGKILL of that shard's new primary; ${scale === 'full' ? CLUSTER_USERS : 12} users on 2 containers`,
    ...clusterLoad(client),
    async inject(env): Promise<EcsFaultOutcome> {
      const cluster = clusterOf(env);
      const checks: Check[] = [];
      const observations: string[] = [];
      const before = await shardedSubscriptions(cluster);
      observations.push(`sharded channels per container subscriber before: ${show(before)}`);

      // 1. Manual failover of the busiest shard.
      const { topology, byPrimary } = await usersByPrimary(env, cluster);
      const busiest = byPrimary[0];
      const replica = topology.find((n) => n.primaryId === busiest?.primary.id && !n.failing);
      if (!busiest || !replica) throw new Error('no primary with a replica');
      const manualAtMs = Date.now();
      await redisCli(replica.port, 'CLUSTER', 'FAILOVER');
      const promoted = await pollUntil(
        async () => (await cluster.topology()).some((n) => n.id === replica.id && n.role === 'primary'),
        RESTORE_TIMEOUT_MS,
        50,
      );
      const manual = await restoreOf(cluster, env, before, manualAtMs);
      checks.push(
        check(
          'the replica took over (CLUSTER FAILOVER)',
          promoted,
          `${busiest.users.length} users on that shard`,
        ),
        check('every user channel re-subscribed after the manual failover', manual.restored, manual.detail),
      );
      observations.push(`manual failover: subscriptions restored in ${manual.ms} ms`);

      // 2. The same shard's primary (the promoted replica) killed outright.
      const victim = cluster.nodes.find((node) => node.port === replica.port);
      if (!victim) throw new Error('the promoted replica is not one of the launcher nodes');
      const killAtMs = Date.now();
      await victim.stop('SIGKILL');
      const takenOver = await pollUntil(
        async () =>
          (await cluster.topology()).some(
            (n) => n.primaryId === undefined && n.role === 'primary' && n.id === busiest.primary.id,
          ),
        RESTORE_TIMEOUT_MS,
        50,
      );
      const killed = await restoreOf(cluster, env, before, killAtMs);
      checks.push(
        check('the old primary took over again after the kill', takenOver, `node-timeout 2000 ms`),
        check('every user channel re-subscribed after the kill', killed.restored, killed.detail),
      );
      observations.push(
        `primary killed: subscriptions restored in ${killed.ms} ms (failure detection included)`,
      );
      // The killed node comes back as a replica (its nodes.conf), as ElastiCache replaces a node.
      await victim.start();
      const healthy = await cluster.waitHealthy().then(
        () => true,
        () => false,
      );
      checks.push(check('the killed node rejoined as a replica', healthy, 'cluster_state:ok on every node'));
      return { checks, observations };
    },
  });
}

/**
 * Issue 25: live resharding. The slots of the busiest primary's most active users are moved to
 * another primary (MIGRATING/IMPORTING, MIGRATE, SETSLOT NODE) while those users' notifications are
 * being published: the publisher's script meets ASK and TRYAGAIN redirections, and each container
 * must follow the users' channels to their new node.
 */
export function clusterSlotMigration(client: RedisClientKind): Scenario {
  const id = `ecs-redis-cluster-slot-migration-${client}`;
  const title = `Redis Cluster slot migration under load (${client})`;
  return ecsFaultScenario({
    id,
    title,
    fault: (scale) =>
      `3 primaries + 3 replicas, sharded adapter on ${CLUSTER_CLIENT[client]}; the slots of ${scale === 'full' ? MOVED_USERS : 4} active users moved from the busiest primary to another, one slot at a time, while they publish; ${scale === 'full' ? CLUSTER_USERS : 12} users on 2 containers`,
    ...clusterLoad(client),
    async inject(env): Promise<EcsFaultOutcome> {
      const cluster = clusterOf(env);
      const before = await shardedSubscriptions(cluster);
      const { byPrimary, slots } = await usersByPrimary(env, cluster);
      const source = byPrimary[0];
      const target = byPrimary.at(-1);
      if (!source || !target || source.primary.id === target.primary.id)
        throw new Error('need two primaries');
      const moving = source.users.slice(0, env.scale === 'full' ? MOVED_USERS : 4);
      const movingSlots = [...new Set(moving.map((u) => slots.get(u) as number))];
      const startedAtMs = Date.now();
      for (const slot of movingSlots) await cluster.moveSlot(slot, target.primary.id);
      const movedAtMs = Date.now();
      const topology = await cluster.topology();
      const owner = topology.find((n) => n.id === target.primary.id);
      const allMoved = owner !== undefined && movingSlots.every((slot) => servesSlot(owner, slot));
      const restored = await restoreOf(cluster, env, before, movedAtMs);
      return {
        checks: [
          check(
            'the slots moved',
            allMoved,
            `${movingSlots.length} slots (${moving.length} users) in ${movedAtMs - startedAtMs} ms`,
          ),
          check('every container followed its users to the new primary', restored.restored, restored.detail),
        ],
        observations: [
          `sharded channels per container subscriber before: ${show(before)}`,
          `subscriptions restored ${restored.ms} ms after the last slot moved`,
        ],
      };
    },
  });
}

/** How many of the busiest primary's users have their slots moved at full scale. */
const MOVED_USERS = 8;

const CLUSTER_CLIENT: Record<RedisClientKind, string> = {
  ioredis: 'ioredis Cluster (shardedSubscribers)',
  'node-redis': 'node-redis createCluster',
};

/**
 * Both topology changes (docs/RELIABILITY.md, with the other faults) on each client: node-redis
 * 6 `createCluster` (the cluster containers' default) and ioredis 6.1 `Cluster` with
 * `createRedis`'s options (before SSUBSCRIBE was kept out of auto-pipelines, ioredis left 6 of 120
 * users' channels unsubscribed after the failover: IOREDIS_CLUSTER_UNPIPELINED_COMMANDS).
 */
export const ecsClusterScenarios: Scenario[] = [
  clusterFailover('node-redis'),
  clusterSlotMigration('node-redis'),
  clusterFailover('ioredis'),
  clusterSlotMigration('ioredis'),
];
