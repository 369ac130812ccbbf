import { parseArgs } from 'node:util';
import { resolveJwtSecret, signToken } from '../shared/auth/index.js';
import { createClient, type DeliveryMeta, type Transport } from '../shared/client/index.js';
import type { Notification } from '../shared/contract/index.js';
import { readPlaygroundEndpoints } from './endpoints.js';

export interface SmokeResult {
  variant: string;
  delivered: boolean;
  latencyMs?: number;
  servedBy?: string;
  publishedFrom?: string;
  detail: string;
}

export interface SmokeTarget {
  variant: string;
  transport: Transport;
  /** SDK url. */
  url: string;
  /** Base URL for POST /jobs/sync. */
  jobsUrl: string;
  /** Ask that the job runs on a different container than the client's (ECS). */
  crossContainer: boolean;
}

/**
 * Connects an SDK client, starts a zero-length sync job (on another container than the
 * client's where the variant has containers), and waits for its notification.
 */
export async function smokeOne(target: SmokeTarget, token: string, timeoutMs: number): Promise<SmokeResult> {
  const client = createClient({ transport: target.transport, url: target.url, token, autoConnect: false });
  try {
    const resumed = new Promise<{ servedBy?: string }>((resolve) => {
      const off = client.on('resumed', (event) => {
        off();
        resolve(event);
      });
    });
    const received: { notification: Notification; meta: DeliveryMeta }[] = [];
    const waiters: ((jobId: string) => void)[] = [];
    client.on('notification', (event) => {
      received.push(event);
      for (const w of waiters) w(event.notification.jobId);
    });
    const failed = new Promise<never>((_, reject) => {
      client.on('state', (change) => {
        if (change.newState === 'disconnected' && change.reason)
          reject(new Error(`disconnected: ${change.reason.reason}`));
      });
    });
    client.connect();
    const { servedBy } = await withTimeout(Promise.race([resumed, failed]), timeoutMs, 'connect');

    // Round robin: retry the POST until another container takes the job (at most a few tries).
    let jobId = '';
    let publishedFrom = '';
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await fetch(`${target.jobsUrl}/jobs/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ durationMs: 0 }),
      });
      const body = (await response.json()) as { jobId?: string; acceptedBy?: string; message?: string };
      if (response.status !== 202 || !body.jobId)
        throw new Error(`POST /jobs/sync answered ${response.status}: ${body.message}`);
      jobId = body.jobId;
      publishedFrom = body.acceptedBy ?? '';
      if (!target.crossContainer || !servedBy || publishedFrom !== servedBy) break;
    }
    const match = received.find((r) => r.notification.jobId === jobId);
    const event =
      match ??
      (await withTimeout(
        new Promise<{ notification: Notification; meta: DeliveryMeta }>((resolve) => {
          waiters.push((id) => {
            const found = received.find((r) => r.notification.jobId === id && id === jobId);
            if (found) resolve(found);
          });
        }),
        timeoutMs,
        'the notification',
      ));
    return {
      variant: target.variant,
      delivered: true,
      latencyMs: event.meta.latencyMs,
      ...(servedBy ? { servedBy } : {}),
      ...(publishedFrom ? { publishedFrom } : {}),
      detail:
        servedBy && publishedFrom
          ? `client on ${servedBy}, job published from ${publishedFrom}`
          : 'delivered',
    };
  } catch (error) {
    return { variant: target.variant, delivered: false, detail: (error as Error).message };
  } finally {
    client.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function runSmoke(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      user: { type: 'string', default: 'smoke-user' },
      'timeout-ms': { type: 'string', default: '10000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: syncbell smoke [--user ID] [--timeout-ms N]\nNeeds `npm start` running in another shell.\n',
    );
    return 0;
  }
  const endpoints = await readPlaygroundEndpoints();
  const token = await signToken({ userId: values.user, key: resolveJwtSecret().key });
  const targets = await endpoints.smokeTargets();
  let ok = true;
  for (const target of targets) {
    const result = await smokeOne(target, token, Number(values['timeout-ms']));
    ok &&= result.delivered;
    process.stdout.write(
      result.delivered
        ? `✔ ${result.variant}: delivered in ${result.latencyMs} ms (${result.detail})\n`
        : `✘ ${result.variant}: NOT delivered: ${result.detail}\n`,
    );
  }
  return ok ? 0 : 1;
}
