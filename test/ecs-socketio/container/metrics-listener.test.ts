import { afterEach, describe, expect, it } from 'vitest';
import { loadEcsConfig } from '../../../ecs-socketio/src/config.js';
import { createLogger } from '../../../ecs-socketio/container/logger.js';
import { createEcsServer, type EcsServer } from '../../../ecs-socketio/container/server.js';
import { signToken } from '../../../shared/server/auth/index.js';
import { TEST_JWT_KEY } from '../support/harness.js';

// In-process servers on the in-memory adapter: what is under test is the HTTP routing, not Redis.
const servers: EcsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(containerId: string, env: Record<string, string> = {}) {
  const config = loadEcsConfig({
    REDIS_ADAPTER: 'memory',
    PORT: '0',
    METRICS_PORT: '0',
    CONTAINER_ID: containerId,
    ...env,
  });
  const server = await createEcsServer({
    config,
    logger: createLogger('test', 'silent', containerId),
    jwtKey: TEST_JWT_KEY,
  });
  servers.push(server);
  const port = await server.listen(0);
  const metricsPort = await server.listenMetrics();
  return { server, url: `http://127.0.0.1:${port}`, metricsUrl: `http://127.0.0.1:${metricsPort}` };
}

describe('metrics listener', () => {
  it('answers 404 for /metrics on the public port, which the load balancer forwards', async () => {
    const { url } = await start('public-404');
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('syncbell_');
  });

  it('serves syncbell and Node.js runtime metrics on METRICS_PORT, labelled with the container', async () => {
    const { metricsUrl } = await start('metrics-1');
    const response = await fetch(`${metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^syncbell_connections\{container="metrics-1"\} 0$/m);
    expect(text).toMatch(/^process_cpu_seconds_total\{container="metrics-1"\} /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{container="metrics-1"\} /m);
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(404);
  });

  it('keeps two servers in one process apart (one registry each)', async () => {
    const a = await start('twin-a');
    const b = await start('twin-b');
    const [textA, textB] = await Promise.all(
      [a, b].map(async ({ metricsUrl }) => (await fetch(`${metricsUrl}/metrics`)).text()),
    );
    expect(textA).toMatch(/^process_resident_memory_bytes\{container="twin-a"\} /m);
    expect(textA).not.toContain('twin-b');
    expect(textB).toMatch(/^process_resident_memory_bytes\{container="twin-b"\} /m);
  });

  it('serves no metrics with METRICS_PORT=off, and stops serving them on close', async () => {
    const off = await start('off', { METRICS_PORT: 'off' });
    expect(await off.server.listenMetrics()).toBeUndefined();
    const { server, metricsUrl } = await start('closing');
    await server.close();
    await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
  });
});

describe('jobs without a worker', () => {
  it('answers publishVia "worker" with 400 when WORKER_PUBLISH=false, instead of queueing it for nobody', async () => {
    const { url } = await start('no-worker', { WORKER_PUBLISH: 'false' });
    const response = await fetch(`${url}/jobs/sync`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await signToken({ userId: 'u-no-worker', key: TEST_JWT_KEY })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ durationMs: 0, publishVia: 'worker' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'bad_request', message: /WORKER_PUBLISH=false/ });
  });
});
