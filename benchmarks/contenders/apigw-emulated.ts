import { startApigwLocal } from '../../apigw-websocket/local/stack.js';
import { localPublisher } from '../../apigw-websocket/local/publisher.js';
import { descendantPids } from '../load/process-stats.js';
import type { Contender } from './contender.js';

/**
 * The API Gateway variant under LOCAL EMULATION: serverless-offline (osls) + dynalite on this
 * machine. Its figures say how the handlers and the data design behave, not how AWS's managed
 * WebSocket fleet performs: every mention of it in the report carries "emulated".
 */
export const apigwEmulated: Contender = {
  id: 'apigw-emulated',
  label: 'API Gateway WebSocket + Lambda + DynamoDB (emulated: serverless-offline + dynalite)',
  optionId: 'apigw',
  emulated: true,
  baseline: false,
  resume: true,
  multiContainer: false,
  // Every client keep-alive is a Lambda invocation: at the quick profile's 250 ms it swamped the
  // emulator (30 s for 60 connects, 2026-11-27).
  minHeartbeatIntervalMs: 1000,
  // Measured 2026-11-27 (full profile, capacity only): ramping 19,500 connects at 1,000/s,
  // serverless-offline held 8,523, reset 1,217 and timed out its own $connect Lambdas (504) for the
  // rest. Those are one Node process's limits, not API Gateway's (quota: 500 new connections/s per
  // account and Region, adjustable), so the full profile runs it where it keeps up.
  scaleLimits: {
    connections: 2_000,
    ratePerSecond: 200,
    rampPerSecond: 200,
    reason:
      'serverless-offline is one Node process on this machine; pushed to the full counts it times out its own $connect Lambdas, which says nothing about API Gateway',
  },
  async start(options) {
    // The emulated Lambdas build SDK clients from the default provider chain.
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    process.env.AWS_REGION ??= 'us-east-1';
    const before = new Set(descendantPids(process.pid));
    const local = await startApigwLocal({
      idleTimeoutSeconds: Math.max(1, Math.round((options.idleTimeoutMs ?? 600_000) / 1000)),
      ...(options.log ? { log: options.log } : {}),
    });
    const pids = descendantPids(process.pid).filter((pid) => !before.has(pid));
    const publisher = localPublisher(local, { replayTtlSeconds: 86_400 });
    return {
      clientKind: 'apigw',
      urls: [local.wsUrl.replace(/^ws/, 'http')],
      directUrl: local.wsUrl.replace(/^ws/, 'http'),
      serverPids: () => pids,
      serverConnections: async () => undefined,
      serverClosedTotal: async () => undefined,
      coldStartsMs: local.coldStartsMs,
      async publish(notification) {
        const result = await publisher.publish(notification);
        if (result.failed > 0) throw new Error(`notify: ${result.failed} posts failed`);
      },
      async stop() {
        publisher.close();
        await local.stop();
      },
    };
  },
};
