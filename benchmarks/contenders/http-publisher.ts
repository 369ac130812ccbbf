import { Agent, request } from 'node:http';
import type { Notification } from '../../shared/contract/index.js';

/** Publishes over a kept-alive HTTP connection (contenders whose job runs in the server process). */
export function createHttpPublisher(url: string): {
  publish(notification: Notification): Promise<void>;
  close(): void;
} {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  return {
    publish(notification) {
      return new Promise((resolve, reject) => {
        const body = JSON.stringify(notification);
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () =>
              res.statusCode === 202 ? resolve() : reject(new Error(`publish answered ${res.statusCode}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** `metricsUrls`: each container's metrics listener (METRICS_PORT), not its public URL. */
async function socketIoMetric(metricsUrls: readonly string[], pattern: RegExp): Promise<number | undefined> {
  let total = 0;
  for (const url of metricsUrls) {
    try {
      const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
      total += Number(pattern.exec(text)?.[1] ?? 0);
    } catch {
      return undefined;
    }
  }
  return total;
}

/** Sum of the `syncbell_connections` gauge on socket.io containers' /metrics (their metrics listeners). */
export function socketIoConnections(metricsUrls: readonly string[]): Promise<number | undefined> {
  return socketIoMetric(metricsUrls, /^syncbell_connections\{[^}]*\} (\d+)/m);
}

/** Closed connections on socket.io containers: accepted connects minus those still open. */
export async function socketIoClosedTotal(metricsUrls: readonly string[]): Promise<number | undefined> {
  const accepted = await socketIoMetric(
    metricsUrls,
    /^syncbell_connects_total\{[^}]*outcome="accepted"[^}]*\} (\d+)/m,
  );
  const open = await socketIoConnections(metricsUrls);
  return accepted === undefined || open === undefined ? undefined : accepted - open;
}
