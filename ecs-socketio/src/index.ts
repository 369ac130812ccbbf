/**
 * `@syncbell/socketio`: the socket.io variant as a library. The container entry points
 * (`main.ts`, `worker-main.ts`) are thin compositions of what is exported here.
 */
export * from './config.js';
export * from './job-queue.js';
export * from './defaults.js';
export * from './redis-client.js';
export * from './redis.js';
export * from './replay-log.js';
export * from './rooms.js';
export * from './server.js';
export * from './socketio-publisher.js';
export * from './worker.js';
export * from './adapter.js';
export * from './attach/attach.js';
export * from './auth.js';
// The verifier attach takes: defined once in @syncbell/server for both variants.
export { hs256Verifier, type VerifyToken } from '@syncbell/server';
export * from './metrics.js';
