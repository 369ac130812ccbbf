import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/cdk.out/**'],
    // Integration tests start real processes (Redis, servers, proxies); on a 2-core
    // machine too much parallelism turns into scheduler noise, not speed.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // An unhandled error fails the run (as it should); make sure its details always reach the log,
    // whatever state the reporter is in when it arrives.
    // The ECS suite runs once per Redis client, as @socket.io/redis-adapter tests itself: ioredis
    // with everything else, node-redis in its own project (test/ecs-socketio/harness.ts reads the variable).
    projects: [
      { extends: true, test: { name: 'default' } },
      {
        extends: true,
        test: {
          name: 'ecs-node-redis',
          include: ['test/ecs-socketio/**/*.test.ts'],
          env: { SYNCBELL_TEST_REDIS_CLIENT: 'node-redis' },
        },
      },
    ],
    onUnhandledError(error) {
      const { name, message, stack, type } = error as Error & { type: string };
      process.stderr.write(`\n[unhandled ${type}] ${name}: ${message}\n${stack ?? ''}\n`);
    },
  },
});

// vitest loads the default export of its config file; this is the one place it is required.
// biome-ignore lint/style/noDefaultExport: vitest config contract
export default config;
