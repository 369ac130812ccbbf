/**
 * `@syncbell/socketio`: syncbell on socket.io, as a library an app attaches to its own server.
 * Attach (`attachSyncbell`), the Redis adapter (`syncbellAdapter`), the publisher
 * (`createSocketIoPublisher`), the replay log, the Redis client wrappers (the app passes its own
 * `ioredis` or `redis` client: both are optional peers, and nothing here imports either) and the
 * metrics. The turnkey container (its HTTP routes, the demo job API, the worker and its queue,
 * the environment parser) is `@syncbell/socketio/container` (ecs-socketio/container/).
 * test/ecs-socketio/src/index.test.ts holds the list of names exported here.
 */
export * from './adapter.js';
export * from './attach/attach.js';
export * from './auth.js';
export * from './defaults.js';
export * from './errors.js';
export * from './metrics.js';
export * from './redis-client.js';
export * from './redis.js';
export * from './replay-log.js';
export * from './rooms.js';
export * from './socketio-publisher.js';
// The verifier attach takes: defined once in @syncbell/server for both variants.
export { hs256Verifier, type VerifyToken } from '@syncbell/server';
