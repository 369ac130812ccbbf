import { createServer, type Server } from 'node:net';

/**
 * Asks the kernel for a free TCP port on 127.0.0.1, not one of `avoid` (small race: someone may take
 * it before we bind).
 */
export async function freePort(avoid: readonly number[] = []): Promise<number> {
  const [port] = await freePorts(1, avoid);
  return port as number;
}

/**
 * `count` distinct free TCP ports on 127.0.0.1, none of them in `avoid`. Each is held open until all
 * are found: ports asked for one after another and released in between can come back the same (a
 * container was given one port as both PORT and METRICS_PORT, seen in CI). The race with other
 * processes stays, as with `freePort`.
 */
export async function freePorts(count: number, avoid: readonly number[] = []): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = createServer();
      held.push(server);
      const port = await new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          if (typeof address === 'object' && address) resolve(address.port);
          else reject(new Error('no port'));
        });
      });
      if (!avoid.includes(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
