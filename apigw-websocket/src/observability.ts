import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** Used when the environment names no service (serverless-offline, tests). */
export const DEFAULT_SERVICE_NAME = 'syncbell-apigw';
/** Used when the environment names no namespace. */
export const DEFAULT_METRICS_NAMESPACE = 'syncbell';

/**
 * The service name and metrics namespace, from the environment the stack sets
 * (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`; infra's `serviceName` and
 * `metricsNamespace` knobs). Powertools lets a constructor option win over those variables, so
 * passing constants made the knobs move only the alarms, onto a namespace nothing wrote to.
 */
export function observabilityNames(env: Record<string, string | undefined> = process.env): {
  serviceName: string;
  namespace: string;
} {
  return {
    serviceName: env.POWERTOOLS_SERVICE_NAME || DEFAULT_SERVICE_NAME,
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
  };
}

const names = observabilityNames();

/** One logger and one metrics buffer per Lambda execution environment (module scope). */
export const logger = new Logger({ serviceName: names.serviceName });

/**
 * CloudWatch EMF metrics. Handlers flush once per invocation (`publishStoredMetrics`);
 * `POWERTOOLS_METRICS_DISABLED=true` keeps local runs and tests quiet.
 */
export const metrics = new Metrics({ namespace: names.namespace, serviceName: names.serviceName });

export { MetricUnit };

/** The counters this variant emits (names are what the dashboards query). */
export const MetricName = {
  Connected: 'Connected',
  ConnectRefused: 'ConnectRefused',
  Disconnected: 'Disconnected',
  NotificationsPublished: 'NotificationsPublished',
  PostsDelivered: 'PostsDelivered',
  PostsGone: 'PostsGone',
  PostsFailed: 'PostsFailed',
  PostsThrottled: 'PostsThrottled',
  FramesRejected: 'FramesRejected',
  Replayed: 'Replayed',
  /** Replay log rows left out of a read (no readable id, or another user's). */
  ReplayEntriesSkipped: 'ReplayEntriesSkipped',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** The slice of Powertools the data and notify code uses, so tests can pass a recorder. */
export interface Telemetry {
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  count(name: MetricName, value?: number): void;
}

export const defaultTelemetry: Telemetry = {
  logger,
  count(name, value = 1) {
    metrics.addMetric(name, MetricUnit.Count, value);
  },
};

/**
 * Flushes buffered metrics; never lets a metrics failure fail the invocation. An invocation that
 * counted nothing (a ping) publishes nothing: Powertools would log a "No application metrics to
 * publish" warning for it, one CloudWatch Logs line per keep-alive (seen 5,026 times in one local
 * 5,000-client storm).
 */
export function flushMetrics(): void {
  try {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  } catch (error) {
    logger.warn('could not publish metrics', { error });
  }
}

/**
 * Wraps a handler so buffered metrics are flushed once per invocation, whether it succeeded
 * or threw (the same job as Powertools' `logMetrics` middleware, without middy).
 */
export function flushingMetrics<E, R>(handler: (event: E) => Promise<R>): (event: E) => Promise<R> {
  return async (event) => {
    try {
      return await handler(event);
    } finally {
      flushMetrics();
    }
  };
}
