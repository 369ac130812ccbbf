import { once } from 'node:events';
import type { Server } from 'node:http';
import dynalite from 'dynalite';

export interface DynaliteServer {
  endpoint: string;
  close(): Promise<void>;
}

/** dynalite in this process on a free port, in memory; tables become ACTIVE at once. */
export async function startDynalite(): Promise<DynaliteServer> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite did not bind a port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    // dynalite closes its database on close(); a request still arriving on a kept-alive socket
    // would then fail with "Database is closed" outside any caller. Cut the sockets first.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
