import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import dynalite from 'dynalite';

export interface DynaliteServer {
  endpoint: string;
  close(): Promise<void>;
}

/** How long close() waits for requests already being served before it closes anyway. */
const DRAIN_TIMEOUT_MS = 5000;

/** dynalite in this process on a free port, in memory; tables become ACTIVE at once. */
export async function startDynalite(): Promise<DynaliteServer> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // dynalite closes its database as soon as the HTTP server has closed, but an action that is
  // half done (DeleteItem = get, then del, then index updates) goes on after its socket is cut,
  // and then throws "Database is closed" with no caller to catch it (seen when a client's
  // $disconnect was in flight as the stack stopped). So: count requests until they answer, and
  // close only when none is left.
  let inFlight = 0;
  const idle: (() => void)[] = [];
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (res.writableEnded) return;
    inFlight++;
    let counted = true;
    const release = () => {
      if (!counted) return;
      counted = false;
      inFlight--;
      if (inFlight === 0) for (const resolve of idle.splice(0)) resolve();
    };
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      release();
      return end(...args);
    }) as ServerResponse['end'];
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite did not bind a port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    async close() {
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => idle.push(resolve)),
          new Promise<void>((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref()),
        ]);
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Kept-alive sockets would hold close() open; nothing is being served on them now.
        server.closeAllConnections();
      });
    },
  };
}

/** What the child prints once listening: its port. */
const CHILD_SCRIPT = `const server = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('disconnect', () => process.exit(0));`;

/**
 * dynalite in its own process, in memory: for fleets of thousands, whose `$connect`,
 * `$disconnect` and resume reads would otherwise share one event loop with the process that
 * holds the clients. Stops with its parent (the IPC channel closes).
 */
export async function startDynaliteProcess(): Promise<DynaliteServer> {
  const child = spawn(process.execPath, ['-e', CHILD_SCRIPT], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit');
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), 'line'),
    exited.then(() => {
      throw new Error('dynalite exited during start-up');
    }),
  ])) as [string];
  return {
    endpoint: `http://127.0.0.1:${Number(line)}`,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
