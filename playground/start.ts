import { parseArgs } from 'node:util';
import { startEcsLocal } from '../ecs-socketio/local/stack.js';
import { ENDPOINTS_FILE, removePlaygroundEndpoints, writePlaygroundEndpoints } from './endpoints.js';

const HELP = `usage: syncbell start [options]

Runs the local playground: the ECS variant (Socket.io containers behind a local load balancer,
the emitter worker, Redis) and the API Gateway variant (serverless-offline + dynalite).

  --containers N       Socket.io containers (default 2)
  --port N             load balancer port (default 8080; 0 = any free port)
  --idle-timeout-ms N  load balancer idle timeout (default 60000, like the ALB)
  --sticky             sticky cookie at the load balancer (needed with --polling)
  --polling            allow HTTP long polling (WebSocket only by default)
  --no-apigw           skip the API Gateway variant
  --verbose            show container and emulator logs
`;

export async function runStart(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      containers: { type: 'string', default: '2' },
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      'idle-timeout-ms': { type: 'string', default: '60000' },
      sticky: { type: 'boolean', default: false },
      polling: { type: 'boolean', default: false },
      'no-apigw': { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const containers = Number(values.containers);
  const port = Number(values.port);
  const idleTimeoutMs = Number(values['idle-timeout-ms']);
  for (const [name, value, min] of [
    ['--containers', containers, 1],
    ['--port', port, 0],
    ['--idle-timeout-ms', idleTimeoutMs, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  }
  if (values.polling && containers > 1 && !values.sticky) {
    process.stdout.write(
      'warning: --polling with several containers needs --sticky (else HTTP 400 "Session ID unknown")\n',
    );
  }
  const log = (line: string) => {
    if (values.verbose || /notice|warn|error|fatal/i.test(line)) process.stdout.write(`${line}\n`);
  };

  process.stdout.write('syncbell playground starting...\n');
  const ecs = await startEcsLocal({
    containers,
    lbPort: port,
    idleTimeoutMs,
    sticky: values.sticky,
    allowPolling: values.polling,
    log,
  });
  const stops: (() => Promise<void>)[] = [() => ecs.stop()];
  let apigw: { wsUrl: string; httpUrl: string } | undefined;
  if (!values['no-apigw']) {
    try {
      const { startApigwLocal } = await import('../apigw-websocket/local/stack.js');
      const started = await startApigwLocal({ log });
      stops.push(() => started.stop());
      apigw = { wsUrl: started.wsUrl, httpUrl: started.httpUrl };
    } catch (error) {
      process.stdout.write(`notice: the API Gateway variant did not start: ${(error as Error).message}\n`);
    }
  }

  await writePlaygroundEndpoints({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ecs: {
      url: ecs.url,
      redisMode: ecs.redisMode,
      containers: ecs.containers().map(({ id, url }) => ({ id, url })),
    },
    ...(apigw ? { apigw } : {}),
  });

  const lines = [
    '',
    'ECS variant (Socket.io + Redis adapter)',
    `  load balancer (ALB stand-in)  ${ecs.url}   jobs: POST ${ecs.url}/jobs/sync`,
    ...ecs.containers().map((c) => `  container ${c.id.padEnd(19)} ${c.url}   (/healthz /readyz /metrics)`),
    `  redis                         ${ecs.redisUrl ?? 'none: in-memory adapter, one container'} (${ecs.redisMode})`,
    apigw
      ? `API Gateway variant (emulated: serverless-offline + dynalite)\n  websocket                     ${apigw.wsUrl}\n  http                          ${apigw.httpUrl}   jobs: POST ${apigw.httpUrl}/jobs/sync`
      : 'API Gateway variant: not running',
    '',
    `endpoints written to ${ENDPOINTS_FILE}; try \`npx syncbell smoke\` in another shell`,
    `ready: ecs=${ecs.url}${apigw ? ` apigw=${apigw.wsUrl}` : ''}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  await new Promise<void>((resolve) => {
    const shutdown = () => resolve();
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
  process.stdout.write('stopping...\n');
  await removePlaygroundEndpoints();
  await Promise.allSettled(stops.map((stop) => stop()));
  return 0;
}
