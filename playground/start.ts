import { parseArgs } from 'node:util';
import { ENDPOINTS_FILE, removePlaygroundEndpoints, writePlaygroundEndpoints } from './endpoints.js';
import { startPlayground } from './playground.js';

const HELP = `usage: syncbell start [options]

Runs the local playground: the ECS variant (Socket.io containers behind a local load balancer,
the emitter worker, Redis), the API Gateway variant (serverless-offline + dynalite), and a page
that shows both side by side.

  --containers N       Socket.io containers (default 2)
  --port N             load balancer port (default 8080; 0 = any free port)
  --page-port N        playground page port (default 8090; 0 = any free port)
  --idle-timeout-ms N  load balancer idle timeout (default 60000, like the ALB)
  --sticky             sticky cookie at the load balancer (needed with --polling)
  --polling            allow HTTP long polling (WebSocket only by default)
  --own-redis          spawn a private redis-server (so the page can restart it)
  --redis-cluster      spawn a private Redis Cluster (3 primaries, 3 replicas) and run the
                       containers on it (REDIS_CLUSTER=true, sharded adapter, node-redis)
  --no-apigw           skip the API Gateway variant
  --verbose            show container and emulator logs
`;

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer >= ${min} (got "${text}")`);
  return value;
}

export async function runStart(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      containers: { type: 'string', default: '2' },
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      'page-port': { type: 'string', default: process.env.PAGE_PORT ?? '8090' },
      'idle-timeout-ms': { type: 'string', default: '60000' },
      sticky: { type: 'boolean', default: false },
      polling: { type: 'boolean', default: false },
      'own-redis': { type: 'boolean', default: false },
      'redis-cluster': { type: 'boolean', default: false },
      'no-apigw': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const containers = integer('--containers', values.containers, 1);
  const lbPort = integer('--port', values.port, 0);
  const pagePort = integer('--page-port', values['page-port'], 0);
  const idleTimeoutMs = integer('--idle-timeout-ms', values['idle-timeout-ms'], 1);
  if (values.polling && containers > 1 && !values.sticky) {
    process.stdout.write(
      'warning: --polling with several containers needs --sticky (else HTTP 400 "Session ID unknown")\n',
    );
  }
  const log = (line: string) => {
    if (values.verbose || /notice|warn|error|fatal|\[playground\]/i.test(line))
      process.stdout.write(`${line}\n`);
  };

  process.stdout.write('syncbell playground starting (the API Gateway emulator takes a few seconds)...\n');
  const playground = await startPlayground({
    containers,
    lbPort,
    pagePort,
    idleTimeoutMs,
    sticky: values.sticky,
    polling: values.polling,
    ownRedis: values['own-redis'],
    redisCluster: values['redis-cluster'],
    apigw: !values['no-apigw'],
    log,
  });
  const { ecs, apigw } = playground;
  await writePlaygroundEndpoints({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    pageUrl: playground.pageUrl,
    ecs: {
      url: ecs.url,
      redisMode: ecs.redisMode,
      containers: ecs.containers().map(({ id, url }) => ({ id, url })),
    },
    ...(apigw ? { apigw: { wsUrl: apigw.wsUrl, httpUrl: apigw.httpUrl } } : {}),
  });

  const lines = [
    '',
    'ECS variant (Socket.io + Redis adapter)',
    `  load balancer (ALB stand-in)  ${ecs.url}   jobs: POST ${ecs.url}/jobs/sync`,
    ...ecs
      .containers()
      .map(
        (c) =>
          `  container ${c.id.padEnd(19)} ${c.url}   (/healthz /readyz; metrics: ${c.metricsUrl}/metrics)`,
      ),
    `  redis                         ${ecs.redisUrl ?? 'none: in-memory adapter, one container'} (${ecs.redisMode})`,
    apigw
      ? [
          'API Gateway variant (emulated: serverless-offline + dynalite)',
          `  websocket (via local proxy)   ${apigw.wsUrl}   (serverless-offline: ${apigw.directWsUrl})`,
          `  http                          ${apigw.httpUrl}   jobs: POST ${apigw.httpUrl}/jobs/sync`,
        ].join('\n')
      : `API Gateway variant: not running (${playground.apigwProblem})`,
    '',
    `playground page                 ${playground.pageUrl}`,
    `endpoints written to ${ENDPOINTS_FILE}; try \`npx syncbell smoke\` in another shell`,
    `ready: open ${playground.pageUrl}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('stopping...\n');
  await removePlaygroundEndpoints();
  await playground.stop();
  return 0;
}
