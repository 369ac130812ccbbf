import { createServer, connect, type Server, type Socket } from 'node:net';

export interface ClientNetwork {
  /** Point the client here instead of at the load balancer (or the API Gateway endpoint). */
  readonly url: string;
  /**
   * The client's network goes dark for `durationMs`: open connections stop carrying bytes both
   * ways (no FIN, no RST), and new connections are accepted by the kernel but never reach the
   * load balancer, as behind a dead Wi-Fi or a NAT that lost its state.
   */
  blackhole(durationMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP hop between one client and the load balancer (or API Gateway): the client's own network, which the
 * chaos runner can cut. The load balancer's `blackhole` only freezes tunnels that already
 * exist; a real outage also swallows the reconnect attempts, which is what this adds.
 */
export async function startClientNetwork(targetUrl: string): Promise<ClientNetwork> {
  const target = new URL(targetUrl);
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let darkUntilMs = 0;
  const held = new Set<Socket>();

  const pipe = (client: Socket) => {
    const upstream = connect({ host: target.hostname, port: Number(target.port) });
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  };

  const server: Server = createServer((client) => {
    if (Date.now() < darkUntilMs) {
      // Swallowed: nothing is forwarded and nothing is answered until the client gives up.
      held.add(client);
      client.pause();
      client.on('error', () => held.delete(client)).on('close', () => held.delete(client));
      return;
    }
    pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    // The target's scheme: `http:` for socket.io behind the load balancer, `ws:` for API Gateway.
    url: `${target.protocol}//127.0.0.1:${port}`,
    async blackhole(durationMs) {
      darkUntilMs = Date.now() + durationMs;
      const frozen = [...pairs];
      for (const { client, upstream } of frozen) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
      await new Promise((resolve) => setTimeout(resolve, durationMs));
      for (const { client, upstream } of frozen) {
        if (client.destroyed || upstream.destroyed) continue;
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.resume();
      }
      // Attempts swallowed during the outage are dead to their clients by now; drop them.
      for (const socket of held) socket.destroy();
      held.clear();
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
