import { afterEach, describe, expect, it, vi } from 'vitest';

/** A fresh copy of the module, built under `env` (Powertools reads it at construction). */
async function observabilityUnder(env: Record<string, string | undefined>) {
  vi.resetModules();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  return import('../../../apigw-websocket/src/observability.js');
}

/** The JSON line the logger writes for one `info`. */
function loggedLine(log: () => void): Record<string, unknown> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    log();
  } finally {
    spy.mockRestore();
  }
  return JSON.parse(lines.join('').trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('observability names', () => {
  it('emits metrics in the namespace and with the service the environment names', async () => {
    const { metrics, MetricName, MetricUnit } = await observabilityUnder({
      POWERTOOLS_SERVICE_NAME: 'notify-eu',
      POWERTOOLS_METRICS_NAMESPACE: 'acme/notifications',
    });
    metrics.addMetric(MetricName.PostsGone, MetricUnit.Count, 1);
    const emf = metrics.serializeMetrics();
    metrics.clearMetrics();
    expect(emf._aws.CloudWatchMetrics[0]?.Namespace).toBe('acme/notifications');
    expect(emf.service).toBe('notify-eu');
  });

  it('logs with the service the environment names', async () => {
    const { logger } = await observabilityUnder({
      POWERTOOLS_SERVICE_NAME: 'notify-eu',
      POWERTOOLS_DEV: 'false',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    expect(loggedLine(() => logger.info('hello'))).toMatchObject({ service: 'notify-eu', message: 'hello' });
  });

  it('flushes an invocation that counted something as one EMF line, and one that counted nothing silently', async () => {
    const { flushMetrics, defaultTelemetry, MetricName } = await observabilityUnder({
      POWERTOOLS_DEV: 'false',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_DISABLED: 'false',
    });
    const written = (run: () => void) => {
      const lines: string[] = [];
      const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
      const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
      const warn = vi.spyOn(console, 'warn').mockImplementation((...args) => {
        lines.push(args.map(String).join(' '));
      });
      try {
        run();
      } finally {
        out.mockRestore();
        err.mockRestore();
        warn.mockRestore();
      }
      return lines.join('');
    };
    expect(written(() => flushMetrics())).toBe('');
    defaultTelemetry.count(MetricName.PostsGone);
    expect(written(() => flushMetrics())).toContain('"PostsGone":1');
  });

  it("falls back to today's names only when the variables are absent", async () => {
    const { observabilityNames } = await observabilityUnder({});
    expect(observabilityNames({})).toEqual({ serviceName: 'syncbell-apigw', namespace: 'syncbell' });
    expect(observabilityNames({ POWERTOOLS_SERVICE_NAME: 's', POWERTOOLS_METRICS_NAMESPACE: 'n' })).toEqual({
      serviceName: 's',
      namespace: 'n',
    });
  });
});
