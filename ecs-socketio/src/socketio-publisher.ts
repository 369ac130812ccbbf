import { Emitter } from '@socket.io/redis-emitter';
import { type Notification, receivedNotificationSchema, SocketEvent } from '@syncbell/contract';
import {
  checkClaim,
  ConfigError,
  notificationToPublish,
  type Publisher,
  payloadHash,
  UnreadableClaimError,
} from '@syncbell/server';
import { ADAPTER_KEY, CLASSIC_ON_CLUSTER } from './adapter.js';
import { SOCKETIO_DEFAULTS } from './defaults.js';
import { EmitterSilentError } from './errors.js';
import { type AnyRedis, asRedisLike } from './redis-client.js';
import { DEFAULT_JOB_CLAIM_PREFIX, DEFAULT_REPLAY_LOG_PREFIX, replayLogKey } from './replay-log.js';
import { userRoom } from './rooms.js';

/** The servers' adapter: `classic` (PUBLISH, every container) or `sharded` (SPUBLISH, per-room channels). */
export type SocketIoAdapterKind = 'classic' | 'sharded';

/** The publisher's adapter for the servers' `REDIS_ADAPTER` (`memory` and unset mean classic). */
export function publisherAdapter(redisAdapter: string | undefined): SocketIoAdapterKind {
  return redisAdapter === 'sharded' ? 'sharded' : 'classic';
}

export interface SocketIoPublisherOptions {
  /** ioredis or node-redis (or either, wrapped): one connection, left open by `close()`. */
  redis: AnyRedis;
  /** The adapter the servers run (`REDIS_ADAPTER`). @default 'classic' */
  adapter?: SocketIoAdapterKind;
  replay?: {
    /** Entries kept per user (approximate trim). @default 1000 */
    maxLen?: number;
    /** The user's log, and each job's claim, expire this long after the last write. @default 86400 */
    ttlSeconds?: number;
    /** Where each user's log is (`replayLogKey`); give readers (`attachSyncbell`) the same. @default 'syncbell:log:' */
    keyPrefix?: string;
  };
  /** The adapter's key / channel prefix. @default ADAPTER_KEY ('syncbell') */
  adapterKey?: string;
  /** The socket.io namespace syncbell is attached to (`attachSyncbell(io.of('/syncbell'))`). @default '/' */
  namespace?: string;
}

export interface EnvelopePublishResult {
  /** What was published: the given envelope, or the one an earlier publish with the key logged. */
  notification: Notification;
  duplicate: boolean;
}

export interface SocketIoPublisher extends Publisher {
  /**
   * Tells every client on every container to resume (`syncbell:resync`), on either adapter: what
   * a container does for its own clients after a Redis outage, from any process (an operator, the
   * chaos runner). Nothing is logged: a resume reads the log, it adds nothing to it.
   */
  resyncAll(): Promise<void>;
  /**
   * Publishes an envelope already built (the demo jobs' completion, a newer server's envelope in
   * the contract tests) through the same script: with `idempotencyKey`, claimed once per key (a
   * later one with another payload throws `IdempotencyConflictError`); without, always logged and sent.
   */
  publishEnvelope(notification: Notification, idempotencyKey?: string): Promise<EnvelopePublishResult>;
}

/**
 * KEYS: the claim, the user's log. ARGV: the envelope, the log's max length, the TTL in seconds,
 * the publish command (PUBLISH / SPUBLISH), its channel, the adapter-encoded message, '1' to claim,
 * the claim's value (the envelope with its payload hash, `claimValue`).
 * One script, so one round trip, and Redis runs it whole: the claim, the log entry and the publish
 * happen together or not at all (a crash cannot leave a job claimed but never logged or sent), and
 * the log entry precedes the publish (a client that resumes after it finds it; one connected
 * before it receives it live).
 */
const PUBLISH_SCRIPT = `
if ARGV[7] == '1' then
  local claimed = redis.call('GET', KEYS[1])
  if claimed then return {claimed, 1} end
  redis.call('SET', KEYS[1], ARGV[8], 'EX', ARGV[3])
end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'n', ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call(ARGV[4], ARGV[5], ARGV[6])
return {ARGV[1], 0}`;

/**
 * The field of a claim's stored envelope that holds its payload hash (`payloadHash`): a claim is
 * the envelope plus this field, so a reader of an older version, which reads the claim as an
 * envelope and passes unknown fields on, still answers its duplicates during a rolling deploy.
 */
const CLAIM_HASH_FIELD = 'syncbellPayloadSha256';

/**
 * What the adapter's subscribers receive for `io.to(room).emit(event, ...args)`, or for
 * `io.emit(event, ...args)` (every socket of every container) when `room` is undefined.
 */
type RoomPacketEncoder = (
  room: string | undefined,
  event: string,
  ...args: unknown[]
) => [channel: string, message: string | Buffer];

/**
 * The classic adapter's wire format, as @socket.io/redis-emitter writes it (a notepack-encoded
 * `[uid, packet, opts]` on `${key}#/#${room}#`): the emitter encodes into a client that only
 * captures the PUBLISH, and the script sends it.
 */
function classicEncoder(key: string, namespace: string): RoomPacketEncoder {
  let captured: [string, string | Buffer] | undefined;
  const emitter = new Emitter(
    {
      publish(channel: string, message: string | Buffer) {
        captured = [channel, message];
      },
    },
    { key },
    namespace,
  );
  return (room, event, ...args) => {
    (room === undefined ? emitter : emitter.to(room)).emit(event, ...args);
    if (!captured) throw new EmitterSilentError('the emitter published nothing');
    const packet = captured;
    captured = undefined;
    return packet;
  };
}

// socket.io-adapter's ClusterAdapter MessageType.BROADCAST and socket.io-parser's PacketType.EVENT.
const CLUSTER_BROADCAST = 3;
const PACKET_EVENT = 2;
/** Any id but a server adapter's own (a ClusterAdapter ignores messages carrying its own uid). */
const PUBLISHER_UID = 'syncbell-publisher';

/**
 * The sharded adapter's wire format (@socket.io/redis-adapter 8.3 `sharded-adapter.js`): a
 * ClusterAdapter BROADCAST message, JSON when it has no binary, SPUBLISHed on the room's own
 * channel `${prefix}#${namespace}#${room}#`. With `subscriptionMode: 'dynamic'` (the default, and the
 * servers') each server SSUBSCRIBEs that channel while it holds a socket in the room, so a
 * notification reaches only the containers that hold the user. Hand-written because neither
 * the emitter nor the adapter exports an encoder for it; the integration test
 * (test/ecs-socketio/publisher-contract.test.ts) proves real servers decode it.
 */
function shardedEncoder(prefix: string, namespace: string): RoomPacketEncoder {
  return (room, event, ...args) => [
    // A broadcast to every socket goes on the namespace's own channel, which every server
    // SSUBSCRIBEs whatever its rooms (`computeChannel` in the adapter).
    room === undefined ? `${prefix}#${namespace}#` : `${prefix}#${namespace}#${room}#`,
    JSON.stringify({
      uid: PUBLISHER_UID,
      nsp: namespace,
      type: CLUSTER_BROADCAST,
      data: {
        packet: { type: PACKET_EVENT, data: [event, ...args], nsp: namespace },
        opts: { rooms: room === undefined ? [] : [room], except: [], flags: {} },
      },
    }),
  ];
}

/**
 * The socket.io variant's `Publisher`, from any process (the worker, a container, the user's own
 * backend): no socket.io server needed, one Redis round trip per publish, reaching every container
 * of either adapter.
 */
export function createSocketIoPublisher({
  redis: client,
  adapter = 'classic',
  replay: {
    maxLen = SOCKETIO_DEFAULTS.replayMaxLen,
    ttlSeconds = SOCKETIO_DEFAULTS.replayTtlSeconds,
    keyPrefix = DEFAULT_REPLAY_LOG_PREFIX,
  } = {},
  adapterKey = ADAPTER_KEY,
  namespace = '/',
}: SocketIoPublisherOptions): SocketIoPublisher {
  const redis = asRedisLike(client);
  if (redis.cluster && adapter !== 'sharded')
    throw new ConfigError(`createSocketIoPublisher: ${CLASSIC_ON_CLUSTER}`);
  // The script's keys share a slot because the user id is the hash tag of each: a brace in the
  // prefix would move the tag into it (Redis hashes the first `{...}`), and every publish would fail
  // with CROSSSLOT.
  if (redis.cluster && /[{}]/.test(keyPrefix))
    throw new ConfigError(
      `createSocketIoPublisher: replay.keyPrefix ${JSON.stringify(keyPrefix)} holds a brace; on a Redis Cluster the user id must be the hash tag of the user's keys (the log and the claim in one slot, for one script), so the prefix takes no '{' or '}'`,
    );
  const nsp = namespace.startsWith('/') ? namespace : `/${namespace}`;
  const encode = adapter === 'sharded' ? shardedEncoder(adapterKey, nsp) : classicEncoder(adapterKey, nsp);
  const publishCommand = adapter === 'sharded' ? 'SPUBLISH' : 'PUBLISH';

  // On a cluster the script runs on the user's slot: the claim and the log carry the `{userId}`
  // hash tag, and so does the room's channel (see `userRoom`), so Redis lets the script SPUBLISH.
  const publishEnvelope: SocketIoPublisher['publishEnvelope'] = async (notification, idempotencyKey) => {
    const [channel, message] = encode(userRoom(notification.userId), SocketEvent.Notification, notification);
    const [stored, duplicate] = (await redis.call(
      'EVAL',
      PUBLISH_SCRIPT,
      2,
      // The user id is the hash tag of both keys: one cluster slot, so one script writes both.
      `${DEFAULT_JOB_CLAIM_PREFIX}{${notification.userId}}:${idempotencyKey ?? ''}`,
      replayLogKey(notification.userId, keyPrefix),
      JSON.stringify(notification),
      String(maxLen),
      String(ttlSeconds),
      publishCommand,
      channel,
      message,
      idempotencyKey === undefined ? '0' : '1',
      idempotencyKey === undefined
        ? ''
        : JSON.stringify({ ...notification, [CLAIM_HASH_FIELD]: payloadHash(notification) }),
    )) as [string, number];
    if (!duplicate) return { notification, duplicate: false };
    // Read as a reader reads (the contract's evolution rules): a claim a newer version stored
    // during a rolling deploy is answered as stored, not refused.
    const parsed = receivedNotificationSchema.safeParse(JSON.parse(stored));
    if (!parsed.success)
      throw new UnreadableClaimError(`the stored notification of ${idempotencyKey} is unreadable`);
    const { [CLAIM_HASH_FIELD]: storedHash, ...claimed } = parsed.data;
    checkClaim(
      claimed,
      typeof storedHash === 'string' ? storedHash : undefined,
      notification,
      idempotencyKey ?? '',
    );
    return { notification: claimed as Notification, duplicate: true };
  };

  return {
    publishEnvelope,
    async resyncAll() {
      const [channel, message] = encode(undefined, SocketEvent.Resync);
      await redis.call(publishCommand, channel, message);
    },
    async publish(input) {
      const { notification, idempotencyKey } = notificationToPublish(input);
      // A duplicate is not sent again: its first publish logged and sent it in the same script.
      const published = await publishEnvelope(notification, idempotencyKey);
      return { id: published.notification.id, duplicate: published.duplicate };
    },
    async close() {
      // The connection is the caller's.
    },
  };
}
