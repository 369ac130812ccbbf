import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** Tiny real backends: HTTP answers with their id, WebSocket echoes. */
export async function backend(
  id: string,
): Promise<{ id: string; url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url === '/readyz' ? 'ok' : id);
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`${id}:${data}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    id,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
