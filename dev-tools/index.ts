/**
 * The pieces the harnesses share: tests, chaos, benchmarks, the playground and the local stacks
 * (`ecs-socketio/local/`, `apigw-websocket/local/`, `examples/local/`). Development tooling only:
 * not a package, never published, and no product package may import it (the
 * `no-dev-tools-in-package` rule in .dependency-cruiser.cjs, run by `npm run lint`).
 *
 * - `stopChild` / `isRunning`: the one way to stop a child process (a signal, an optional SIGKILL
 *   after a grace period, its whole process group if asked), resolving once it has exited.
 * - `pollUntil`: waits for a condition (p-wait-for), `false` on timeout.
 * - `startFaultProxy`: the one TCP fault hop (silent drops, byte counts, an idle timeout).
 * - `startOwnedRedis` / `startOwnedRedisCluster`: the one Redis launcher (a private redis-server,
 *   durable or not, or a local Redis Cluster), with `redisCli` and `redisAnswers`.
 * - `freePort` / `freePorts`: free TCP ports on 127.0.0.1 (`freePorts`: distinct ones at once), and
 *   `retryOnPortClash`: a start retried when one of them was taken meanwhile (EADDRINUSE).
 * - `STAMP_RESOLUTION_MS`: how short two `Date.now()` stamps around a whole timer wait can read.
 */
export { isRunning, type StopChildOptions, stopChild } from './child-process.js';
export {
  type Blackhole,
  type BlackholeOptions,
  type FaultProxy,
  type FaultProxyOptions,
  startFaultProxy,
} from './fault-proxy.js';
export { STAMP_RESOLUTION_MS } from './clock.js';
export { freePort, freePorts, retryOnPortClash } from './free-port.js';
export { pollUntil } from './poll-until.js';
export {
  CLUSTER_SLOTS,
  type ClusterNodeInfo,
  type OwnedRedis,
  type OwnedRedisCluster,
  type OwnedRedisClusterOptions,
  type OwnedRedisOptions,
  parseClusterNodes,
  redisAnswers,
  redisCli,
  redisServerAvailable,
  startOwnedRedis,
  startOwnedRedisCluster,
} from './redis-server.js';
