import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * The ECS test files whose Redis client is the harness's (`TEST_REDIS_CLIENT` of
 * test/ecs-socketio/support/harness.ts, the only reader of SYNCBELL_TEST_REDIS_CLIENT): what the
 * `ecs-node-redis` project re-runs. The others (pure units, the env parser, the local load
 * balancer, the package's export list, a replay log test on its own ioredis) run the same code
 * whatever the variable says, so a second run of them checks nothing new. Found by what each file
 * imports, so a new suite on the harness joins by itself.
 */
const HARNESS_SUITES = readdirSync('test/ecs-socketio', { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => `test/ecs-socketio/${file}`)
  .filter((file) => readFileSync(file, 'utf8').includes('/support/harness.js'));

/** The ECS suites the sharded-adapter projects re-run (test/ecs-socketio/support/harness.ts reads the variable). */
const SHARDED_SUITES = [
  'test/ecs-socketio/contract.test.ts',
  'test/ecs-socketio/specifics.test.ts',
  'test/ecs-socketio/redis-restart.test.ts',
  'test/ecs-socketio/drain-handover.test.ts',
];

/**
 * The ECS suites the `ecs-cluster-node-redis` and `ecs-cluster-ioredis` projects re-run on a local
 * Redis Cluster (3 primaries, 3 replicas, sharded adapter): delivery, isolation, resume and
 * cross-container, on node-redis 6 `createCluster` and on ioredis 6 `Cluster`
 * (`shardedSubscribers`, SSUBSCRIBE kept out of auto-pipelines: clusterSubscriberProblem). Both
 * clients' cluster behaviour (failover included) is test/ecs-socketio/cluster.test.ts, which runs
 * with the rest of the ECS folder on each client.
 */
const CLUSTER_SUITES = ['test/ecs-socketio/contract.test.ts', 'test/ecs-socketio/specifics.test.ts'];

export const config = defineConfig({
  // NestJS decorators (@syncbell/nestjs, the example app) are TypeScript's legacy ones, which Vite's
  // transform leaves alone unless told. No design-type metadata, as under tsx (esbuild emits none):
  // Nest code here injects with explicit tokens, so what passes here also runs under tsx.
  oxc: { decorator: { legacy: true } },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**', '**/cdk.out/**'],
    // Integration tests start real processes (Redis, servers, proxies) and mostly wait on them
    // (a port answering, a frame arriving): a third worker overlaps those waits. Measured on this
    // 2-core machine: `--project ecs-node-redis` 349 s with 2 workers, 267 s with 3; more than
    // that turns into scheduler noise, not speed.
    maxWorkers: 3,
    // Bounds for a hang, not expectations of speed: tests wait on the events they need (a port
    // answering, a frame arriving, a process exiting). A clean-clone CI run on this 2-core machine
    // with other work on it (load average 16) needed more than 30 s to start a container twice, more
    // than 30 s for a cdk-nag synth and more than 60 s to delete an npm-installed project in an
    // afterAll; each failed on these bounds alone, never on what it checks.
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    // The ECS suite runs once per Redis client, as @socket.io/redis-adapter tests itself: ioredis
    // with everything else, node-redis in its own project (test/ecs-socketio/support/harness.ts reads the
    // variable). `include` lives in each project: with `extends`, arrays add up.
    projects: [
      { extends: true, test: { name: 'default', include: ['**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'ecs-node-redis',
          include: HARNESS_SUITES,
          env: { SYNCBELL_TEST_REDIS_CLIENT: 'node-redis' },
        },
      },
      // Per-user channels (REDIS_ADAPTER=sharded) on each client: the suites where the adapter
      // matters (delivery, isolation, resume, cross-container, Redis restart, drain), not the
      // whole ECS folder (config, jobs, metrics and the like do not depend on it).
      ...(['ioredis', 'node-redis'] as const).map((client) => ({
        extends: true as const,
        test: {
          name: client === 'ioredis' ? 'ecs-sharded' : 'ecs-sharded-node-redis',
          include: SHARDED_SUITES,
          env: { SYNCBELL_TEST_REDIS_CLIENT: client, SYNCBELL_TEST_REDIS_ADAPTER: 'sharded' },
        },
      })),
      ...(['node-redis', 'ioredis'] as const).map((client) => ({
        extends: true as const,
        test: {
          name: `ecs-cluster-${client}`,
          include: CLUSTER_SUITES,
          env: { SYNCBELL_TEST_REDIS_CLIENT: client, SYNCBELL_TEST_REDIS_CLUSTER: 'true' },
        },
      })),
    ],
    // An unhandled error fails the run (as it should); make sure its details always reach the log,
    // whatever state the reporter is in when it arrives.
    onUnhandledError(error) {
      const { name, message, stack, type } = error as Error & { type: string };
      process.stderr.write(`\n[unhandled ${type}] ${name}: ${message}\n${stack ?? ''}\n`);
    },
  },
});

// vitest loads the default export of its config file; this is the one place it is required.
// biome-ignore lint/style/noDefaultExport: vitest config contract
export default config;
