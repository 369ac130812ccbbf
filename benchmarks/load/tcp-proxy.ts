import { type AddressInfo, createServer, type Server, type Socket, connect } from 'node:net';

export interface TcpProxyOptions {
  /** host:port to forward to. */
  target: { host: string; port: number };
  /** Close a pair after this long with no bytes either way (the ALB idle timeout). @default 0 (off) */
  idleTimeoutMs?: number;
  /**
   * Pick the upstream per connection (round robin over several targets, for scenario 7).
   * @default always `target`
   */
  pickTarget?: () => { host: string; port: number };
}

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  /** Pairs currently open. */
  open(): number;
  /** Bytes relayed so far: `down` server to client, `up` client to server. */
  bytes(): { down: number; up: number };
  /** Silently stops forwarding on every open pair for `durationMs`: no FIN, no RST. */
  blackhole(durationMs: number): number;
  close(): Promise<void>;
}

/**
 * A byte-level relay for contenders that have no load balancer of their own (raw ws, SSE, long
 * polling, API Gateway emulated), so the silent-drop and idle-timeout scenarios treat every
 * transport the same way. The socket.io contender uses its local ALB stand-in's own blackhole.
 */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const pairs = new Set<{
    client: Socket;
    upstream: Socket;
    blackholed: boolean;
    closedDuringBlackhole: boolean;
  }>();
  let down = 0;
  let up = 0;
  const server: Server = createServer((client) => {
    const target = options.pickTarget?.() ?? options.target;
    const upstream = connect(target);
    const pair = { client, upstream, blackholed: false, closedDuringBlackhole: false };
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
      if (pair.blackholed) {
        pair.closedDuringBlackhole = true;
        return;
      }
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    if (options.idleTimeoutMs) client.setTimeout(options.idleTimeoutMs, end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    open: () => pairs.size,
    bytes: () => ({ down, up }),
    blackhole(durationMs) {
      let affected = 0;
      for (const pair of pairs) {
        if (pair.blackholed) continue;
        affected++;
        pair.blackholed = true;
        // Paused sockets stop reading; unpiping stops writing what was already read.
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        pair.client.pause();
        pair.upstream.pause();
        setTimeout(() => {
          pair.blackholed = false;
          if (pair.closedDuringBlackhole || pair.client.destroyed || pair.upstream.destroyed) {
            pairs.delete(pair);
            pair.client.destroy();
            pair.upstream.destroy();
            return;
          }
          pair.client.pipe(pair.upstream);
          pair.upstream.pipe(pair.client);
        }, durationMs).unref();
      }
      return affected;
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
