import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import { type ApigwQuotas, checkQuotas, TokenBucket } from './quotas.js';

export interface QuotaGateOptions {
  /** serverless-offline's WebSocket port (its `@connections` API answers on the same port). */
  target: string;
  quotas: ApigwQuotas;
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** What the gate let through and what it refused, since it started. */
export interface QuotaGateStats {
  /** WebSocket upgrades passed on to serverless-offline. */
  connectsAccepted: number;
  /** Upgrades answered 429 (the new-connection quota or the account throttle). */
  connectsThrottled: number;
  /** `@connections` calls (POST, GET, DELETE) passed on. */
  callbacksAccepted: number;
  /** `@connections` calls answered 429 `LimitExceededException` (the account throttle). */
  callbacksThrottled: number;
}

export interface QuotaGate {
  /** `ws://host:port`: what clients connect to. */
  readonly wsUrl: string;
  /** `http://host:port`: the `@connections` endpoint behind the quotas. */
  readonly httpUrl: string;
  readonly stats: Readonly<QuotaGateStats>;
  /** The quotas in force. */
  quotas(): ApigwQuotas;
  /** New quotas from now on (buckets start full, as after a quota increase). */
  setQuotas(quotas: ApigwQuotas): void;
  /** WebSocket connections open through the gate. */
  open(): number;
  /**
   * Every open client socket destroyed at once, without a close frame (the clients' network went
   * away and came back: they see 1006, serverless-offline runs `$disconnect`). Returns how many.
   */
  dropAll(): number;
  close(): Promise<void>;
}

/** AWS documents no burst for the new-connection quota: the bucket holds one second's worth (at least one). */
const connectionBucket = (quotas: ApigwQuotas) =>
  new TokenBucket(quotas.newConnectionsPerSecond, Math.max(1, quotas.newConnectionsPerSecond));

/** API Gateway's throttled answer ("Too Many Requests", the `THROTTLED` gateway response's default message). */
const THROTTLED_BODY = JSON.stringify({ message: 'Too Many Requests' });

/**
 * The front of the local API Gateway: serverless-offline does not enforce API Gateway's account
 * quotas, so this gate in front of it does, as AWS documents them (see `quotas.ts` for the pages):
 *
 * - A WebSocket upgrade takes a token from the new-connection bucket (the quota's rate; AWS
 *   documents no burst for it, so the bucket holds one second's worth) and one from the account
 *   bucket (a `$connect` is a request). Without one it is answered `429 Too Many Requests` and
 *   closed. AWS documents that throttled clients "may receive 429 Too Many Requests error
 *   responses" (websocket-api-protect.html) but not what a refused upgrade carries: no
 *   `Retry-After` is documented, so none is sent. A browser sees only a failed connection (1006).
 * - A `@connections` call (the callback API notify and the pongs post with) takes a token from the
 *   account bucket; without one it is answered 429 with `x-amzn-ErrorType: LimitExceededException`,
 *   the error the management API's SDK models for 429 (and what AWS answers a throttled
 *   PostToConnection, per the re:Post report in FACTS.md).
 *
 * Not emulated: frames sent on an open connection also count against the account throttle on AWS;
 * the gate tunnels them without reading them. Proxying is http-proxy-3's.
 */
export async function startQuotaGate(options: QuotaGateOptions): Promise<QuotaGate> {
  const host = options.host ?? '127.0.0.1';
  let quotas = checkQuotas({ ...options.quotas });
  let connectBucket = connectionBucket(quotas);
  let accountBucket = new TokenBucket(quotas.accountRequestsPerSecond, quotas.accountBurst);
  const stats: QuotaGateStats = {
    connectsAccepted: 0,
    connectsThrottled: 0,
    callbacksAccepted: 0,
    callbacksThrottled: 0,
  };
  const clients = new Set<Socket>();
  const proxy = createProxyServer({ target: options.target, ws: true });
  proxy.on('error', (_error, _req, res) => {
    // serverless-offline gone or stopping: the caller sees a 502 or a cut connection.
    if (res && 'writeHead' in res && !res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Bad Gateway' }));
    } else res?.destroy();
  });

  function handleCallback(req: IncomingMessage, res: ServerResponse): void {
    if (!accountBucket.take()) {
      stats.callbacksThrottled++;
      res.writeHead(429, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'LimitExceededException',
      });
      res.end(THROTTLED_BODY);
      return;
    }
    stats.callbacksAccepted++;
    proxy.web(req, res);
  }

  function handleUpgrade(req: IncomingMessage, client: Socket, head: Buffer): void {
    if (!connectBucket.take() || !accountBucket.take()) {
      stats.connectsThrottled++;
      client.end(
        `HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: ${THROTTLED_BODY.length}\r\nConnection: close\r\n\r\n${THROTTLED_BODY}`,
      );
      return;
    }
    stats.connectsAccepted++;
    clients.add(client);
    client.once('close', () => clients.delete(client));
    proxy.ws(req, client, head);
  }

  const server: Server = createServer(handleCallback);
  server.on('upgrade', (req, socket, head) => handleUpgrade(req, socket as Socket, head));
  server.on('clientError', (_error, socket) => socket.destroy());
  server.listen(options.port ?? 0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    wsUrl: `ws://${host}:${port}`,
    httpUrl: `http://${host}:${port}`,
    stats,
    quotas: () => ({ ...quotas }),
    setQuotas(next) {
      quotas = checkQuotas({ ...next });
      connectBucket = connectionBucket(quotas);
      accountBucket = new TokenBucket(quotas.accountRequestsPerSecond, quotas.accountBurst);
    },
    open: () => clients.size,
    dropAll() {
      const dropped = clients.size;
      for (const client of [...clients]) client.destroy();
      return dropped;
    },
    async close() {
      for (const client of [...clients]) client.destroy();
      proxy.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
