import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { z } from 'zod';
import { resolveJwtSecret, signToken } from '../shared/server/auth/index.js';
import { userIdSchema } from '../shared/contract/index.js';
import type { LoadBalancer } from '../ecs-socketio/local/load-balancer.js';
import type { EcsLocalStack } from '../ecs-socketio/local/stack.js';
import type { ApigwEndpoints } from './playground.js';

export interface PageServerOptions {
  port: number;
  ecs: EcsLocalStack;
  apigw: ApigwEndpoints | undefined;
  apigwProblem: string | undefined;
  /** Proxies whose tunnels "drop my network" may blackhole. */
  proxies: LoadBalancer[];
  replaceKilledAfterSeconds: number;
  log: (line: string) => void;
}

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));
const clientIdSchema = z.string().regex(/^[a-z0-9-]{6,64}$/);

/**
 * Serves the playground page and the few controls it needs. Everything here is for a developer's
 * machine: it mints development tokens for any user, which is exactly what production must not do.
 */
export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const secret = resolveJwtSecret();
  if (!secret.isDevSecret && process.env.NODE_ENV === 'production') {
    throw new Error(
      'the playground page mints tokens for any user and refuses to run with NODE_ENV=production',
    );
  }
  // The page's script: the SDK plus the page code, bundled once at start (no CDN: works offline).
  const bundle = await build({
    entryPoints: [`${WEB_DIR}app.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const appJs = bundle.outputFiles[0]?.text ?? '';
  const indexHtml = await readFile(`${WEB_DIR}index.html`, 'utf8');
  const replaceTimers = new Set<ReturnType<typeof setTimeout>>();

  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown) =>
    send(res, status, 'application/json', JSON.stringify(body));

  async function readBody(req: IncomingMessage): Promise<unknown> {
    let text = '';
    for await (const chunk of req) {
      text += chunk;
      if (text.length > 4096) throw new Error('body too large');
    }
    return text ? JSON.parse(text) : {};
  }

  const config = () => ({
    ecs: {
      url: options.ecs.url,
      redisMode: options.ecs.redisMode,
      redisRestartable: options.ecs.ownedRedis !== undefined,
      containers: options.ecs.containers().map(({ id, running }) => ({ id, running })),
    },
    apigw: options.apigw ? { wsUrl: options.apigw.wsUrl, httpUrl: options.apigw.httpUrl } : null,
    apigwProblem: options.apigwProblem ?? null,
  });

  async function forwardJob(req: IncomingMessage, res: ServerResponse, baseUrl: string) {
    const body = JSON.stringify(await readBody(req));
    // A 502 from the load balancer means the target refused before the request reached it (a
    // container just died and health checks have not noticed): the job did not start, so retry.
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(`${baseUrl}/jobs/sync`, {
        method: 'POST',
        headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status === 502 && attempt < 3) continue;
      return send(res, response.status, 'application/json', await response.text());
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html'))
      return send(res, 200, 'text/html; charset=utf-8', indexHtml);
    if (req.method === 'GET' && path === '/app.js')
      return send(res, 200, 'text/javascript; charset=utf-8', appJs);
    if (req.method === 'GET' && path === '/api/config') return json(res, 200, config());
    if (req.method === 'GET' && path === '/api/token') {
      const user = userIdSchema.safeParse(url.searchParams.get('user'));
      if (!user.success)
        return json(res, 400, { code: 'bad_request', message: 'user must be a valid user id' });
      const expiresIn = Number(url.searchParams.get('expiresInSeconds') ?? 900);
      const token =
        url.searchParams.get('broken') === '1'
          ? 'not-a-token'
          : await signToken({ userId: user.data, key: secret.key, expiresInSeconds: expiresIn });
      return json(res, 200, { token });
    }
    if (req.method === 'POST' && path === '/api/jobs/ecs') return forwardJob(req, res, options.ecs.url);
    if (req.method === 'POST' && path === '/api/jobs/apigw') {
      if (!options.apigw)
        return json(res, 503, {
          code: 'internal_error',
          message: `API Gateway variant is not running: ${options.apigwProblem}`,
        });
      return forwardJob(req, res, options.apigw.httpUrl);
    }
    const kill = path.match(/^\/api\/containers\/([a-z0-9-]+)\/kill$/);
    if (req.method === 'POST' && kill) {
      const id = kill[1] as string;
      if (!options.ecs.containers().some((c) => c.id === id))
        return json(res, 404, { code: 'bad_request', message: `no container ${id}` });
      await options.ecs.killContainer(id, 'SIGKILL');
      options.log(`[playground] killed ${id}; replacing it in ${options.replaceKilledAfterSeconds} s`);
      const timer = setTimeout(() => {
        replaceTimers.delete(timer);
        options.ecs
          .startContainer(id)
          .catch((error: unknown) =>
            options.log(`[playground] could not restart ${id}: ${(error as Error).message}`),
          );
      }, options.replaceKilledAfterSeconds * 1000);
      replaceTimers.add(timer);
      return json(res, 202, { killed: id, replacedInSeconds: options.replaceKilledAfterSeconds });
    }
    if (req.method === 'POST' && path === '/api/network-drop') {
      const body = z
        .object({ clientId: clientIdSchema, seconds: z.number().min(1).max(120) })
        .safeParse(await readBody(req));
      if (!body.success)
        return json(res, 400, { code: 'bad_request', message: 'need { clientId, seconds (1..120) }' });
      const marker = `client=${body.data.clientId}`;
      let tunnels = 0;
      for (const proxy of options.proxies)
        tunnels += proxy.blackhole((t) => t.path.includes(marker), body.data.seconds * 1000);
      return json(res, 200, { tunnels, seconds: body.data.seconds });
    }
    if (req.method === 'POST' && path === '/api/redis/restart') {
      const owned = options.ecs.ownedRedis;
      if (!owned)
        return json(res, 409, {
          code: 'bad_request',
          message: 'this playground uses a Redis it does not own; start with --own-redis to restart it',
        });
      await owned.restart();
      return json(res, 200, { restarted: true });
    }
    json(res, 404, { code: 'bad_request', message: 'not found' });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) json(res, 502, { code: 'internal_error', message: (error as Error).message });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      for (const timer of replaceTimers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
