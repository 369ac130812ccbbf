import { z } from 'zod';
import { benchmarkResultsSchema } from '../cost/capacity.js';

const spread = z.object({ median: z.number(), min: z.number(), max: z.number(), runs: z.array(z.number()) });
const latency = z.object({
  count: z.number(),
  p50Ms: z.number(),
  p90Ms: z.number(),
  p99Ms: z.number(),
  p999Ms: z.number(),
  maxMs: z.number(),
  meanMs: z.number(),
});
/** A scenario that could not run still appears, with its error: a report never silently drops a cell. */
const outcome = <T extends z.ZodType>(ok: T) =>
  z.union([
    z.object({ ok: z.literal(true), value: ok }),
    z.object({ ok: z.literal(false), error: z.string() }),
  ]);

/** What every scale point counts, on one Redis node or a cluster (scale.ts, scale-cluster.ts). */
const scalePointCounts = {
  containers: z.number(),
  connections: z.number(),
  connected: z.number(),
  ratePerSecond: z.number(),
  published: z.number(),
  delivered: z.number(),
};

export const contenderResultSchema = z.object({
  id: z.string(),
  label: z.string(),
  optionId: z.string().nullable(),
  emulated: z.boolean(),
  baseline: z.boolean(),
  /** A reference implementation, not an option (plain socket.io). Absent before 2026-12-01: false. */
  reference: z.boolean().optional(),
  /**
   * Whether the contender has a replay log to resume from. Without one its "with resume" drop pass
   * still runs (clients send their cursor; nothing answers it), and the report shows it as n/a.
   * Absent in results written before 2026-11-28: read as true.
   */
  canResume: z.boolean().optional(),
  /** Set when the contender ran below the profile's counts (`Contender.scaleLimits`), and why. */
  scaleNote: z.string().optional(),
  /**
   * Emulated only: each function's first invocation in ms (`RunningContender.coldStartsMs`); every
   * other figure of the contender is warm. Absent in results written before 2026-12-01.
   */
  coldStartsMs: z.record(z.string(), z.number()).optional(),
  unicast: outcome(
    z.array(
      z.object({
        connections: z.number(),
        connected: z.number(),
        ratePerSecond: z.number(),
        published: z.number(),
        delivered: z.number(),
        runs: z.array(latency),
        median: latency,
        p50Spread: spread,
        p99Spread: spread,
        cdf: z.array(z.object({ latencyMs: z.number(), fraction: z.number() })),
        cpuSecondsPer1000Notifications: spread,
        /**
         * The contender whose runs alternated with these, run by run (ABAB, `unicastInterleaved`);
         * absent where the level ran alone, and in results written before 2026-12-06.
         */
        interleavedWith: z.string().optional(),
      }),
    ),
  ),
  fanout: outcome(
    z.object({
      connections: z.number(),
      connected: z.number(),
      firstMs: spread,
      lastMs: spread,
      deliveredPerRun: z.array(z.number()),
    }),
  ),
  capacity: outcome(
    z.object({
      target: z.number(),
      connectionsHeld: z.number(),
      failed: z.number(),
      failureSamples: z.array(z.string()),
      rssBytesPerConnection: z.number(),
      heapBytesPerConnection: z.number().nullable(),
      idleRssBytes: z.number(),
      loadedRssBytes: z.number(),
    }),
  ),
  wireBytes: outcome(
    z.object({
      notifications: z.number(),
      downBytesPerNotification: z.number(),
      upBytesPerNotification: z.number(),
      payloadBytes: z.number(),
    }),
  ),
  drop: outcome(
    z.object({
      withResume: z.looseObject({ lost: z.number(), duplicated: z.number(), published: z.number() }),
      withoutResume: z.looseObject({ lost: z.number(), duplicated: z.number(), published: z.number() }),
    }),
  ),
  lifecycle: outcome(z.looseObject({ idleTimeoutMs: z.number() })),
  sticky: outcome(
    z.looseObject({
      applicable: z.boolean(),
      reason: z.string(),
      passes: z.array(z.looseObject({ sticky: z.boolean(), errorRate: z.number() })),
    }),
  ),
  /**
   * Issue 16's scale scenario (`benchmarks/scale.ts`), for contenders with `scaleAdapters` only;
   * absent for the others and in results written before 2026-12-01.
   */
  scale: outcome(
    z.array(
      z.object({
        adapter: z.enum(['classic', 'sharded']),
        ...scalePointCounts,
        p50Ms: z.number(),
        p99Ms: z.number(),
        cpuSecondsPer1000: spread,
        containerCpuSecondsPer1000: z.number(),
        redisCpuSecondsPer1000: z.number(),
        idleCpuSecondsPerSecond: z.number().optional(),
        cpuAboveIdleSecondsPer1000: z.number().optional(),
      }),
    ),
  ).optional(),
  /**
   * Issue 25's scale-cluster scenario (`benchmarks/scale-cluster.ts`): the sharded adapter on a
   * Redis Cluster beside one node, for contenders with `scaleCluster` only; absent for the others
   * and in results written before 2026-12-06.
   */
  scaleCluster: outcome(
    z.array(
      z.object({
        redis: z.enum(['node', 'cluster']),
        shards: z.number(),
        ...scalePointCounts,
        deliveredPerSecond: spread,
        p50Ms: z.number(),
        p99Ms: z.number(),
        redisCpuSecondsPer1000: spread,
        redisMainThreadCpuSecondsPer1000: spread.nullable(),
        redisCpuSecondsPer1000PerShard: z.number(),
        redisIdleCpuSecondsPerSecondPerShard: z.number(),
        containerCpuSecondsPer1000: z.number(),
      }),
    ),
  ).optional(),
});
export type ContenderResult = z.infer<typeof contenderResultSchema>;

/**
 * `results.json`. It extends the cost model's reader schema (`cost/capacity.ts`), so the file the
 * benchmarks write is the file `syncbell cost --from-results` accepts.
 */
export const resultsSchema = benchmarkResultsSchema.extend({
  schemaVersion: z.literal(1),
  profile: z.enum(['quick', 'full']),
  machine: z.object({
    hostname: z.string(),
    cpuModel: z.string(),
    cpus: z.number(),
    memoryBytes: z.number(),
    platform: z.string(),
    kernel: z.string(),
    loadAverageAtStart: z.array(z.number()),
    loadAverageAtEnd: z.array(z.number()),
  }),
  node: z.string(),
  date: z.string(),
  gitCommit: z.string(),
  command: z.string(),
  durationSeconds: z.number(),
  target: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
  contenders: z.array(contenderResultSchema),
  /** Scenarios a later run re-measured and `--merge-into` put in place of this run's (see benchmarks/merge.ts). */
  remeasured: z
    .array(
      z.object({
        scenarios: z.array(z.string()),
        contenders: z.array(z.string()),
        date: z.string(),
        command: z.string(),
        gitCommit: z.string(),
        node: z.string(),
        durationSeconds: z.number(),
        loadAverageAtStart: z.array(z.number()),
        loadAverageAtEnd: z.array(z.number()),
      }),
    )
    .optional(),
});
export type BenchResults = z.infer<typeof resultsSchema>;
