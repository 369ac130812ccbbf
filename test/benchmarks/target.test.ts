import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApigwLocal } from '../../apigw-websocket/local/stack.js';
import { startEcsLocal } from '../../ecs-socketio/local/stack.js';
import { runBench } from '../../benchmarks/cli.js';
import { resultsSchema } from '../../benchmarks/results-schema.js';
import { createRoutePublisher, regionOfExecuteApiUrl, targetContender } from '../../benchmarks/target.js';
import { apigwTargetCostTable, apigwTargetCounts } from '../../benchmarks/target-cost.js';
import { PROFILES } from '../../benchmarks/profiles.js';

describe('the publish route client of bench --target (API Gateway)', () => {
  it('SigV4-signs for execute-api in the URL’s region when no API key is given', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"id":"01J00000000000000000000000","duplicate":false}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const route = createRoutePublisher({
        publishUrl: `http://127.0.0.1:${port}/v1/publish`,
        region: 'eu-west-1',
        credentials: {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        },
      });
      const receipt = await route.publish({ userId: 'u', type: 'sync.complete', jobId: 'j' });
      expect(receipt).toEqual({ id: '01J00000000000000000000000', duplicate: false });
      expect(seen[0]?.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
      );
      expect(seen[0]?.['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
      expect(seen[0]?.['x-api-key']).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('reads the region from an execute-api URL', () => {
    expect(regionOfExecuteApiUrl('https://abc123.execute-api.eu-west-1.amazonaws.com/v1/publish')).toBe(
      'eu-west-1',
    );
    expect(regionOfExecuteApiUrl('http://127.0.0.1:3000/v1/publish')).toBeUndefined();
  });

  it('refuses a wss:// target without its publish route, and a socket.io target without a publish key', () => {
    expect(() => targetContender({ url: 'wss://abc.execute-api.us-east-1.amazonaws.com/prod' })).toThrow(
      /--publish-url/,
    );
    expect(() => targetContender({ url: 'https://lb.example.com' })).toThrow(/SYNCBELL_PUBLISH_API_KEY/);
  });
});

describe('what an API Gateway --target run costs (docs/DEPLOY.md)', () => {
  it('keeps the full profile inside the target’s caps', () => {
    for (const row of apigwTargetCounts(PROFILES.full)) {
      expect(row.connects).toBeLessThanOrEqual(1_000);
      expect(row.keepaliveSeconds).toBeGreaterThanOrEqual(30);
    }
  });

  it('states in DEPLOY.md the figures the cost model gives today', async () => {
    const doc = await readFile(new URL('../../docs/DEPLOY.md', import.meta.url), 'utf8');
    const block = /<!-- target-cost:start -->\n([\s\S]*?)\n<!-- target-cost:end -->/.exec(doc)?.[1];
    expect(block).toBe(apigwTargetCostTable());
  });
});

interface DeployedStandIn {
  /** What `--target` gets, and `--publish-url` if the variant needs it. */
  target: string;
  publishUrl?: string;
  publishApiKey: string;
  stop(): Promise<void>;
}

// Each local stack, run as if deployed: the user exports the stack's JWT secret (the load
// generator signs the clients' tokens with it) and a publish key (API Gateway: instead of IAM).
describe.each([
  [
    'API Gateway',
    async (jwtSecret: string): Promise<DeployedStandIn> => {
      const stack = await startApigwLocal({ jwtSecret });
      return {
        target: stack.wsUrl,
        publishUrl: stack.publishUrl,
        publishApiKey: stack.publishApiKey,
        stop: () => stack.stop(),
      };
    },
  ],
  [
    'socket.io',
    async (jwtSecret: string): Promise<DeployedStandIn> => {
      const publishApiKey = randomBytes(32).toString('base64url');
      const stack = await startEcsLocal({
        containers: 2,
        worker: false,
        env: { JWT_SECRET: jwtSecret, PUBLISH_API_KEYS: publishApiKey },
      });
      // No --publish-url: the route is the load balancer's /v1/publish.
      return { target: stack.url, publishApiKey, stop: () => stack.stop() };
    },
  ],
])('syncbell bench --target against the local %s stack, as if deployed', (_variant, start) => {
  let stack: DeployedStandIn;
  let dir = '';
  const saved = { JWT_SECRET: process.env.JWT_SECRET, KEY: process.env.SYNCBELL_PUBLISH_API_KEY };
  beforeAll(async () => {
    const jwtSecret = randomBytes(32).toString('base64url');
    stack = await start(jwtSecret);
    process.env.JWT_SECRET = jwtSecret;
    process.env.SYNCBELL_PUBLISH_API_KEY = stack.publishApiKey;
    dir = await mkdtemp(join(tmpdir(), 'syncbell-bench-target-'));
  }, 120_000);
  afterAll(async () => {
    for (const [name, value] of [
      ['JWT_SECRET', saved.JWT_SECRET],
      ['SYNCBELL_PUBLISH_API_KEY', saved.KEY],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('connects through the target, publishes through the route and receives every notification', async () => {
    const argv = [
      '--quick',
      '--runs',
      '1',
      '--target',
      stack.target,
      ...(stack.publishUrl ? ['--publish-url', stack.publishUrl] : []),
      '--redis-url',
      process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      '--out',
      dir,
    ];
    expect(await runBench(argv)).toBe(0);
    const results = resultsSchema.parse(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')));
    expect(results.target).toBe(stack.target);
    const [target] = results.contenders;
    expect(target?.id).toBe('target');
    expect(target?.unicast.ok, JSON.stringify(target?.unicast)).toBe(true);
    if (target?.unicast.ok)
      for (const level of target.unicast.value) {
        expect(level.connected).toBe(level.connections);
        expect(level.delivered).toBe(level.published);
      }
    expect(target?.fanout.ok, JSON.stringify(target?.fanout)).toBe(true);
    if (target?.fanout.ok) {
      expect(target.fanout.value.connected).toBeGreaterThan(0);
      expect(target.fanout.value.deliveredPerRun).toEqual([target.fanout.value.connected]);
    }
    // The key came from the environment and stays out of the recorded command.
    expect(JSON.stringify(results)).not.toContain(stack.publishApiKey);
  }, 90_000);
});
