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
  /**
   * How long a probe may take before it counts as failed. The ALB's default is 5 s
   * (`HealthCheckTimeoutSeconds`, 2 to 120). @default the interval, at least 200 ms
   */
  healthCheckTimeoutMs?: number;
  /**
   * Consecutive failed probes that take a target out of service (`UnhealthyThresholdCount`, 2 to
   * 10; the ALB's default is 2): one slow answer from a busy target does not. @default 2
   */
  unhealthyThresholdCount?: number;
  /**
   * The target group's deregistration delay: how long a deregistered target keeps its open
   * connections before the load balancer closes them. AWS's default is 300 s (0 to 3600);
   * syncbell's construct sets it to the drain window. @default 300000
   */
  deregistrationDelayMs?: number;
}

/**
 * A target's state as `DescribeTargetHealth` reports it (ELB API reference, "TargetHealth"):
 * `unused` once its deregistration has completed.
 */
export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unused';

/** What a deregistration came to once the target was `unused`. */
export interface DeregistrationResult {
  /** Tunnels still open when the delay ended, closed by the load balancer (0 when all left first). */
  closedByLoadBalancer: number;
  /** How long the target was `draining`. */
  drainingMs: number;
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
  /** A target's state, as `DescribeTargetHealth` would report it. */
  targetState(targetId: string): TargetState;
  /**
   * Deregisters a target as ECS does when it stops a task, and resolves once the target is
   * `unused`: it is `draining` at once (no new connection or request goes to it, open ones are
   * left alone), until either no tunnel to it is left or the deregistration delay ends, when the
   * load balancer closes those still open.
   */
  deregister(targetId: string): Promise<DeregistrationResult>;
  /**
   * Registers a target (again, after a stop; or a new one, with its `url`, as ECS registers the
   * task a deploy started): in rotation once a health check passes.
   */
  register(targetId: string, url?: string): void;
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
    port = 0,
    host = '127.0.0.1',
    idleTimeoutMs = 60_000,
    sticky = false,
    stickyCookieName = 'SYNCBELL_LB',
    healthCheckIntervalMs = 1000,
    healthCheckPath = '/readyz',
    deregistrationDelayMs = 300_000,
    healthCheckTimeoutMs = Math.max(200, healthCheckIntervalMs),
    unhealthyThresholdCount = 2,
  } = options;
  if (options.targets.length === 0) throw new Error('the load balancer needs at least one target');
  const targets = [...options.targets];
  const proxy = createProxyServer({ xfwd: true });
  // Until the first probe answers, every target is tried: the passive check below catches the dead.
  const healthy = new Set(targets.map((t) => t.id));
  // Targets deregistered (draining, then unused) and the resolver of each one still draining.
  const deregistered = new Map<string, { drained?: () => void }>();
  const inService = (id: string) => healthy.has(id) && !deregistered.has(id);
  // "If a target group contains only unhealthy registered targets, the load balancer routes
  // requests to all those targets, regardless of their health status" (ELB User Guide for ALBs,
  // "Health checks for Application Load Balancer target groups": fail open). Found by the storm
  // scenario: a lone survivor slowed by its clients' reconnects missed probes, and the stand-in
  // refused every upgrade with 503 where the ALB keeps routing to it.
  const routable = (id: string) =>
    !deregistered.has(id) && (healthy.has(id) || !targets.some((t) => inService(t.id)));
  // Consecutive failed probes per target (`UnhealthyThresholdCount`).
  const failedProbes = new Map<string, number>();
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
    client.on('close', () => {
      tunnels.delete(tunnel.id);
      // "If a deregistering target has no in-flight requests and no active connections, Elastic
      // Load Balancing immediately completes the deregistration process" (ELB User Guide for
      // ALBs, "Deregistration delay").
      if (![...tunnels.values()].some((t) => t.targetId === tunnel.targetId))
        deregistered.get(tunnel.targetId)?.drained?.();
    });
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

  // A probe still waiting for its answer is not sent again (a timeout longer than the interval).
  const probing = new Set<string>();
  async function probe(target: LoadBalancerTarget): Promise<void> {
    if (probing.has(target.id)) return;
    probing.add(target.id);
    const ok = await new Promise<boolean>((resolve) => {
      const req = httpRequest(`${target.url}${healthCheckPath}`, { timeout: healthCheckTimeoutMs }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
      req.end();
    });
    probing.delete(target.id);
    const failed = ok ? 0 : (failedProbes.get(target.id) ?? 0) + 1;
    failedProbes.set(target.id, failed);
    if (ok) healthy.add(target.id);
    else if (failed >= unhealthyThresholdCount) healthy.delete(target.id);
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
    healthyTargets: () => targets.filter((t) => inService(t.id)).map((t) => t.id),
    targetState(targetId) {
      const deregistration = deregistered.get(targetId);
      if (deregistration) return deregistration.drained ? 'draining' : 'unused';
      return healthy.has(targetId) ? 'healthy' : 'unhealthy';
    },
    async deregister(targetId) {
      if (!targets.some((t) => t.id === targetId)) throw new Error(`no target "${targetId}"`);
      if (deregistered.has(targetId)) return { closedByLoadBalancer: 0, drainingMs: 0 };
      const startedAtMs = Date.now();
      const open = () => [...tunnels.values()].filter((t) => t.targetId === targetId);
      // ELB User Guide for ALBs, "Deregistration delay": the load balancer stops sending new
      // requests to a deregistering target and waits up to the delay for in-flight requests and
      // open connections; "after the deregistration delay elapses, the load balancer closes
      // any remaining connections" (a WebSocket is one long connection, so it is cut then).
      const deregistration: { drained?: () => void } = {};
      deregistered.set(targetId, deregistration);
      await new Promise<void>((resolve) => {
        if (open().length === 0) return resolve();
        const timer = setTimeout(resolve, deregistrationDelayMs);
        deregistration.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      const remaining = open();
      for (const tunnel of remaining) tunnel.client.destroy();
      deregistration.drained = undefined;
      return { closedByLoadBalancer: remaining.length, drainingMs: Date.now() - startedAtMs };
    },
    register(targetId, url) {
      if (!targets.some((t) => t.id === targetId)) {
        if (!url) throw new Error(`no target "${targetId}": a new target needs its url`);
        targets.push({ id: targetId, url });
        // ELB: a newly registered target is `initial` until it passes the health check.
        healthy.delete(targetId);
        if (healthCheckPath === false) healthy.add(targetId);
      }
      deregistered.delete(targetId);
      failedProbes.delete(targetId);
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
