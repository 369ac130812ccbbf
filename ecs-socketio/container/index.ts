/**
 * `@syncbell/socketio/container`: the turnkey ECS container built on `@syncbell/socketio`: the
 * server (`createEcsServer`: its own socket.io `Server` with syncbell attached, health and publish
 * routes, the drain), the demo job API (`POST /jobs/sync`, its runner, the Redis job queue and the
 * worker that drains it), the environment parsers and the Redis connections the environment names
 * (`createRedis`, which imports both `ioredis` and `redis`: install both to use this entry).
 * Its processes are `main.ts` (the server) and `worker-main.ts` (the worker), bundled by
 * ecs-socketio/Dockerfile.
 */
export * from '../src/config.js';
export * from './drain.js';
export * from './job-queue.js';
export * from './job-runner.js';
export * from './jobs.js';
export * from './logger.js';
export * from './redis-connection.js';
export * from './server.js';
export * from './worker.js';
export * from './worker-metrics.js';
