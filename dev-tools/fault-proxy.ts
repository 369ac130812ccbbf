import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

type Target = { host: string; port: number };

export interface FaultProxyOptions {
  /**
   * Where to forward: a URL (its scheme becomes the proxy URL's, `http:` for socket.io behind the
   * load balancer, `ws:` for API Gateway) or host and port.
   */
  target: string | Target;
  /** Close a pair after this long with no bytes either way (the ALB idle timeout). @default 0 (off) */
  idleTimeoutMs?: number;
  /** Pick the upstream per connection (round robin over several targets). @default always `target` */
  pickTarget?: () => Target;
}

export interface BlackholeOptions {
  /**
   * New connections during the outage are accepted by the kernel but never forwarded nor
   * answered (a dead Wi-Fi, a NAT that lost its state), so reconnect attempts are swallowed too;
   * they are dropped when the outage ends. Off, only the pairs open at the start freeze.
   * @default false
   */
  swallowNew?: boolean;
}

export interface Blackhole {
  /** Pairs frozen by this outage. */
  frozen: number;
  /** Resolves when the outage is over and the surviving pairs carry bytes again. */
  restored: Promise<void>;
}

export interface FaultProxy {
  readonly port: number;
  /** Point the client here instead of at the target. */
  readonly url: string;
  /** Pairs currently open. */
  open(): number;
  /** Bytes relayed so far: `down` target to client, `up` client to target. */
  bytes(): { down: number; up: number };
  /** Open pairs silently stop carrying bytes both ways for `durationMs`: no FIN, no RST. */
  blackhole(durationMs: number, options?: BlackholeOptions): Blackhole;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  frozen: boolean;
  closedWhileFrozen: boolean;
}

/**
 * The one TCP fault hop of tests, chaos and benchmarks: a byte relay between clients and a
 * target (the local load balancer, serverless-offline, a contender with no balancer of its own)
 * that can go silent. Hand-written because the faults are the point: a silent drop (no FIN, no
 * RST, reconnects swallowed) is what proxies such as http-proxy never do on purpose. The local
 * load balancer's own `blackhole` freezes only its WebSocket tunnels, per path.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const url = typeof options.target === 'string' ? new URL(options.target) : undefined;
  const target: Target = url ? { host: url.hostname, port: Number(url.port) } : (options.target as Target);
  const pairs = new Set<Pair>();
  const held = new Set<Socket>();
  let swallowUntilMs = 0;
  let down = 0;
  let up = 0;

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  };

  const server: Server = createServer((client) => {
    if (Date.now() < swallowUntilMs) {
      held.add(client);
      client.pause();
      client.on('error', () => held.delete(client)).on('close', () => held.delete(client));
      return;
    }
    const upstream = connect(options.pickTarget?.() ?? target);
    const pair: Pair = { client, upstream, frozen: false, closedWhileFrozen: false };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      up += chunk.length;
    });
    upstream.on('data', (chunk: Buffer) => {
      down += chunk.length;
    });
    const end = () => {
      // A FIN or RST sent into a dead path is lost too: the other side must not hear of it until
      // the path is back (then its next packet meets a reset, as on a real network).
      if (pair.frozen) {
        pair.closedWhileFrozen = true;
        return;
      }
      drop(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    if (options.idleTimeoutMs) client.setTimeout(options.idleTimeoutMs, end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `${url?.protocol ?? 'http:'}//127.0.0.1:${port}`,
    open: () => pairs.size,
    bytes: () => ({ down, up }),
    blackhole(durationMs, { swallowNew = false } = {}) {
      if (swallowNew) swallowUntilMs = Math.max(swallowUntilMs, Date.now() + durationMs);
      const frozen = [...pairs].filter((pair) => !pair.frozen);
      for (const pair of frozen) {
        pair.frozen = true;
        // Paused sockets stop reading; unpiping stops writing what was already read.
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        pair.client.pause();
        pair.upstream.pause();
      }
      const restored = new Promise<void>((resolve) => {
        setTimeout(() => {
          for (const pair of frozen) {
            pair.frozen = false;
            if (pair.closedWhileFrozen || pair.client.destroyed || pair.upstream.destroyed) {
              drop(pair);
              continue;
            }
            pair.client.pipe(pair.upstream);
            pair.upstream.pipe(pair.client);
          }
          // Attempts swallowed during the outage are dead to their clients by now.
          if (swallowNew && Date.now() >= swallowUntilMs) {
            for (const socket of held) socket.destroy();
            held.clear();
          }
          resolve();
        }, durationMs).unref();
      });
      return { frozen: frozen.length, restored };
    },
    async close() {
      for (const pair of pairs) drop(pair);
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
