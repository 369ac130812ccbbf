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

/**
 * Runs `start` again when it failed because a port it was given was taken meanwhile (EADDRINUSE):
 * a port from `freePort`/`freePorts` is free only until someone binds it, and another process (or an
 * outgoing connection's ephemeral port) may take it before the server it was meant for does.
 * `onClash` prepares the next attempt (fresh ports, a cleanup, a pause) and is told the port the
 * error named; any other failure, or a clash on the last of `attempts`, is thrown as it came.
 */
export async function retryOnPortClash<T>(
  start: () => Promise<T>,
  onClash: (takenPort: number, attempt: number) => Promise<void> | void,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const clash = /EADDRINUSE: address already in use \S*:(\d+)/.exec(String((error as Error).message));
      if (attempt >= attempts || !clash) throw error;
      await onClash(Number(clash[1]), attempt);
    }
  }
}
