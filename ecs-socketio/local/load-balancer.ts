import {
  createServer,
  type IncomingMessage,
  request as httpRequest,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';

export interface LoadBalancerTarget {
  id: string;
  /** e.g. http://127.0.0.1:3101 */
  url: string;
}

export interface LoadBalancerOptions {
  targets: LoadBalancerTarget[];
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Close a connection after this long with no bytes either way, like the ALB. @default 60000 */
  idleTimeoutMs?: number;
  /** Pin a client to a target with a cookie (needed for long polling across containers). @default false */
  sticky?: boolean;
  /** @default 'SYNCBELL_LB' */
  stickyCookieName?: string;
  /** Probe each target's `healthCheckPath` this often. @default 1000 */
  healthCheckIntervalMs?: number;
  /** `false` turns health checks off (every target is always in rotation). @default '/readyz' */
  healthCheckPath?: string | false;
}

export interface TunnelInfo {
  id: number;
  targetId: string;
  /** The upgrade request's path and query (the token, if any, is not kept). */
  path: string;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  openedAtMs: number;
  blackholed: boolean;
}

export interface LoadBalancer {
  readonly url: string;
  readonly port: number;
  /** Targets currently passing health checks. */
  healthyTargets(): string[];
  /**
   * Takes a target out of rotation (or puts it back), as ECS does with the target group when it
   * stops a task: new connections go elsewhere at once, open tunnels are left alone.
   */
  setRegistered(targetId: string, registered: boolean): void;
  /** Open WebSocket tunnels. */
  tunnels(): TunnelInfo[];
  /**
   * Silently stops forwarding bytes both ways on matching tunnels for `durationMs`: no FIN, no
   * RST, like a dead NAT or a cable pulled mid-flight. Returns how many tunnels were affected.
   */
  blackhole(match: (tunnel: TunnelInfo) => boolean, durationMs: number): number;
  close(): Promise<void>;
}

interface Tunnel extends TunnelInfo {
  client: Socket;
  upstream?: Socket;
}

/**
 * A local stand-in for the Application Load Balancer: round robin over healthy targets, WebSocket
 * upgrades tunnelled through, an idle timeout, optional cookie stickiness, health checks.
 * Proxying is http-proxy-3's; this file only adds the ALB behaviours around it.
 */
export async function startLoadBalancer(options: LoadBalancerOptions): Promise<LoadBalancer> {
  const {
    targets,
    port = 0,
    host = '127.0.0.1',
    idleTimeoutMs = 60_000,
    sticky = false,
    stickyCookieName = 'SYNCBELL_LB',
    healthCheckIntervalMs = 1000,
    healthCheckPath = '/readyz',
  } = options;
  if (targets.length === 0) throw new Error('the load balancer needs at least one target');
  const proxy = createProxyServer({ xfwd: true });
  // Until the first probe answers, every target is tried: the passive check below catches the dead.
  const healthy = new Set(targets.map((t) => t.id));
  const deregistered = new Set<string>();
  const routable = (id: string) => healthy.has(id) && !deregistered.has(id);
  const tunnels = new Map<number, Tunnel>();
  const tunnelBySocket = new WeakMap<Socket, Tunnel>();
  let nextTunnelId = 1;
  let cursor = 0;

  function pick(req: IncomingMessage, exclude: Set<string>): LoadBalancerTarget | undefined {
    if (sticky) {
      const pinned = cookieValue(req.headers.cookie, stickyCookieName);
      const target = targets.find((t) => t.id === pinned);
      if (target && routable(target.id) && !exclude.has(target.id)) return target;
    }
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(cursor + i) % targets.length] as LoadBalancerTarget;
      if (routable(target.id) && !exclude.has(target.id)) {
        cursor = (cursor + i + 1) % targets.length;
        return target;
      }
    }
    return undefined;
  }

  const isRefused = (error: unknown) =>
    ['ECONNREFUSED', 'ECONNRESET'].includes((error as NodeJS.ErrnoException)?.code ?? '');

  function handleWeb(req: IncomingMessage, res: ServerResponse): void {
    const target = pick(req, new Set());
    if (!target) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ code: 'no_healthy_target', message: 'no healthy target behind the load balancer' }),
      );
      return;
    }
    res.setHeader('x-syncbell-target', target.id);
    if (sticky)
      res.setHeader('set-cookie', `${stickyCookieName}=${target.id}; Path=/; HttpOnly; SameSite=Lax`);
    proxy.web(req, res, { target: target.url }, (error) => {
      if (isRefused(error)) healthy.delete(target.id);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'bad_gateway', message: `target ${target.id} did not answer` }));
      } else res.destroy();
    });
  }

  function handleUpgrade(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = pick(req, new Set());
    if (!target) {
      client.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const tunnel: Tunnel = {
      id: nextTunnelId++,
      targetId: target.id,
      path: (req.url ?? '/').replace(/([?&]token=)[^&]*/, '$1[redacted]'),
      remoteAddress: client.remoteAddress,
      remotePort: client.remotePort,
      openedAtMs: Date.now(),
      blackholed: false,
      client,
    };
    tunnelBySocket.set(client, tunnel);
    tunnels.set(tunnel.id, tunnel);
    client.on('close', () => tunnels.delete(tunnel.id));
    proxy.ws(req, client, head, { target: target.url }, (error) => {
      // A target that refuses (crashed, stopped listening) is out until a health check passes.
      // This attempt fails, as at an ALB before its health checks notice; the client retries.
      if (isRefused(error)) healthy.delete(target.id);
    });
  }

  proxy.on('proxyReqWs', (proxyReq, _req, client) => {
    proxyReq.on('upgrade', (_res, upstream: Socket) => {
      const tunnel = tunnelBySocket.get(client);
      if (tunnel) tunnel.upstream = upstream;
      // Idle timeout, set after http-proxy's own socket setup (which clears timeouts). Node
      // counts reads and writes on the client side, and the client side carries both directions.
      client.setTimeout(idleTimeoutMs, () => client.destroy());
    });
  });
  proxy.on('error', () => {
    // Errors with a callback are handled where they happen; this keeps stray ones from crashing us.
  });

  const server: Server = createServer(handleWeb);
  server.on('upgrade', (req, socket, head) => handleUpgrade(req, socket as Socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());

  async function probe(target: LoadBalancerTarget): Promise<void> {
    const ok = await new Promise<boolean>((resolve) => {
      const req = httpRequest(
        `${target.url}${healthCheckPath}`,
        { timeout: Math.max(200, healthCheckIntervalMs) },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) healthy.add(target.id);
    else healthy.delete(target.id);
  }
  const healthTimer = setInterval(() => {
    if (healthCheckPath !== false) for (const target of targets) void probe(target);
  }, healthCheckIntervalMs);
  healthTimer.unref();
  if (healthCheckPath !== false) await Promise.all(targets.map(probe));

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const boundPort = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${boundPort}`,
    port: boundPort,
    healthyTargets: () => targets.filter((t) => routable(t.id)).map((t) => t.id),
    setRegistered(targetId, registered) {
      if (registered) deregistered.delete(targetId);
      else deregistered.add(targetId);
    },
    tunnels: () =>
      [...tunnels.values()].map(
        ({ id, targetId, path, remoteAddress, remotePort, openedAtMs, blackholed }) => ({
          id,
          targetId,
          path,
          remoteAddress,
          remotePort,
          openedAtMs,
          blackholed,
        }),
      ),
    blackhole(match, durationMs) {
      let affected = 0;
      for (const tunnel of tunnels.values()) {
        if (tunnel.blackholed || !match(tunnel)) continue;
        affected++;
        tunnel.blackholed = true;
        // Paused sockets stop reading: bytes pile up in kernel buffers, nothing is answered,
        // no FIN is sent. Both ends only find out from their own heartbeats.
        tunnel.client.pause();
        tunnel.upstream?.pause();
        const timer = setTimeout(() => {
          tunnel.blackholed = false;
          tunnel.client.resume();
          tunnel.upstream?.resume();
        }, durationMs);
        timer.unref();
      }
      return affected;
    },
    async close() {
      clearInterval(healthTimer);
      for (const tunnel of tunnels.values()) tunnel.client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      proxy.close();
    },
  };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
