import * as container from '@syncbell/socketio/container';
import * as socketio from '@syncbell/socketio';
import { describe, expect, it } from 'vitest';
import { packagesLoadedBy } from '../../support/loaded-modules.js';

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
  'IOREDIS_CLUSTER_MIN_VERSION',
  'IOREDIS_CLUSTER_SLOTS_REFRESH_MS',
  'IOREDIS_CLUSTER_UNPIPELINED_COMMANDS',
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

/** The Redis clients' packages a process has loaded once it imported `entry`. */
const clientsLoadedBy = (entry: string) => packagesLoadedBy(entry, ['ioredis', 'redis', '@redis/client']);

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
