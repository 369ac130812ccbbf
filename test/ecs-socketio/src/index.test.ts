import { spawnSync } from 'node:child_process';
import * as container from '@syncbell/socketio/container';
import * as socketio from '@syncbell/socketio';
import { describe, expect, it } from 'vitest';

/**
 * `@syncbell/socketio`'s public surface, imported by name as an app does: the library (attach, the
 * adapter, the publisher, the replay log, the Redis client wrappers, metrics) and nothing of the
 * turnkey container or its demo job API, which are `@syncbell/socketio/container`. A name added
 * to the entry fails here until it is added to the list on purpose.
 */
const LIBRARY = [
  'ADAPTER_KEY',
  'CLASSIC_ON_CLUSTER',
  'DEFAULT_JOB_CLAIM_PREFIX',
  'DEFAULT_REPLAY_LOG_PREFIX',
  'EmitterSilentError',
  'IOREDIS_CLUSTER_LAST_FAILING',
  'IOREDIS_CLUSTER_SLOTS_REFRESH_MS',
  'NODE_REDIS_WRITE_BUFFER_BYTES',
  'REDIS_CLIENT_KINDS',
  'SOCKETIO_DEFAULTS',
  'SocketIoErrorCode',
  'TaskMetadataError',
  'asRedisLike',
  'attachSyncbell',
  'clusterSubscriberProblem',
  'createContainerRegistry',
  'createReplayLog',
  'createSocketIoPublisher',
  'fromIoredis',
  'fromNodeRedis',
  'fromNodeRedisCluster',
  'handshakeError',
  'hs256Verifier',
  'nodeRedisRestoresShardedChannels',
  'publisherAdapter',
  'registerEcsMetrics',
  'replayLogKey',
  'routingKey',
  'syncbellAdapter',
  'userRoom',
];

/** What an app never gets from the library entry: the demo job API, the worker, the container. */
const CONTAINER_ONLY = [
  'createEcsServer',
  'createJobQueue',
  'createJobRunner',
  'startWorker',
  'createWorkerMetrics',
  'queuedJobSchema',
  'syncJobRequestSchema',
  'completionFor',
  'publishCompletion',
  'JOB_STREAM_KEY',
  'JOB_GROUP',
  'createLogger',
  'createRedis',
  'loadEcsConfig',
  'loadWorkerConfig',
  'drain',
];

/** The Redis clients' modules a process has loaded (both are CommonJS, so `require.cache` lists them). */
function clientsLoadedBy(entry: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(entry)});
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    const clients = ['ioredis', 'redis', '@redis/client'].filter((name) =>
      loaded.some((file) => file.includes('/node_modules/' + name + '/')));
    console.log(JSON.stringify(clients));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`import ${entry} failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
}

describe('@syncbell/socketio', () => {
  it('exports the library, exactly these names', () => {
    expect(Object.keys(socketio).sort()).toEqual([...LIBRARY].sort());
  });

  it('exports no worker, job queue, demo job API or container piece', () => {
    const exported = Object.keys(socketio);
    expect(CONTAINER_ONLY.filter((name) => exported.includes(name))).toEqual([]);
  });

  it('has the container and its demo job API on @syncbell/socketio/container', () => {
    expect(Object.keys(container)).toEqual(expect.arrayContaining(CONTAINER_ONLY));
  });

  it('loads neither Redis client by itself (both are optional peers: the app passes the one it installed)', () => {
    expect(clientsLoadedBy('@syncbell/socketio')).toEqual([]);
    // The container builds its own connections from the environment, so it loads both.
    expect(clientsLoadedBy('@syncbell/socketio/container').sort()).toEqual([
      '@redis/client',
      'ioredis',
      'redis',
    ]);
  }, 120_000);
});
