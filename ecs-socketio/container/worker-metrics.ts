import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';

export interface WorkerMetrics {
  registry: Registry;
  /** By delivery: `new` (first taken) or `recovered`. */
  jobsTaken: Counter<'delivery'>;
  jobsCompleted: Counter;
  /** Taken over from a worker whose lease ran out (it died or stalled mid-job). */
  jobsRecovered: Counter;
  /** By reason: `malformed` (dropped) or `publish` (left pending; recovered after the lease). */
  jobsFailed: Counter<'reason'>;
  /** The container's metric name, so one query sums both paths. */
  notificationsSent: Counter<'path'>;
  publishLatency: Histogram;
}

/** The worker's own registry (kept apart from the container's `createEcsMetrics`). */
export function createWorkerMetrics(workerId: string): WorkerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ worker: workerId });
  const registers = [registry];
  return {
    registry,
    jobsTaken: new Counter({
      name: 'syncbell_worker_jobs_taken_total',
      help: 'Jobs taken from the queue, by delivery (new or recovered)',
      labelNames: ['delivery'],
      registers,
    }),
    jobsCompleted: new Counter({
      name: 'syncbell_worker_jobs_completed_total',
      help: 'Jobs published and acknowledged',
      registers,
    }),
    jobsRecovered: new Counter({
      name: 'syncbell_worker_jobs_recovered_total',
      help: 'Jobs taken over from a worker whose lease ran out',
      registers,
    }),
    jobsFailed: new Counter({
      name: 'syncbell_worker_jobs_failed_total',
      help: 'Jobs that failed, by reason (malformed: dropped; publish: retried after the lease)',
      labelNames: ['reason'],
      registers,
    }),
    notificationsSent: new Counter({
      name: 'syncbell_notifications_published_total',
      help: 'Notifications published, by path (worker here)',
      labelNames: ['path'],
      registers,
    }),
    publishLatency: new Histogram({
      name: 'syncbell_worker_publish_seconds',
      help: 'Time to publish a finished job: claim and log in Redis, then PUBLISH',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
  };
}

/**
 * The worker has no HTTP server of its own: a listener that answers `GET /metrics` and nothing
 * else, on a port that is not behind any load balancer. Resolves with the bound port.
 */
export async function startMetricsListener(
  registry: Registry,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
