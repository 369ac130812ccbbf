import { parseArgs } from 'node:util';
import { resolveJwtSecret, signToken } from '../shared/server/auth/index.js';
import { apigwTransport } from '../shared/client/apigw.js';
import { createClient, type DeliveryMeta, type Transport } from '../shared/client/index.js';
import { socketIoTransport } from '../shared/client/socketio.js';
import type { ReceivedNotification } from '../shared/contract/index.js';
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
    const received: { notification: ReceivedNotification; meta: DeliveryMeta }[] = [];
    const waiters: ((jobId: string | undefined) => void)[] = [];
    client.on('notification', (event) => {
      received.push(event);
      for (const w of waiters) w(event.notification.jobId);
    });
    const failed = new Promise<never>((_, reject) => {
      client.on('state', (change) => {
        // The first failure is the answer: a smoke test does not wait out the backoff.
        if (change.reason && change.newState !== 'connected') {
          reject(new Error(`could not connect (${change.reason.code}): ${change.reason.reason}`));
        }
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
        new Promise<{ notification: ReceivedNotification; meta: DeliveryMeta }>((resolve) => {
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
          ? `client on ${servedBy}, job published from ${publishedFrom}${
              target.crossContainer && servedBy === publishedFrom
                ? ' (NOT cross-container: only one container answered)'
                : ''
            }`
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
      'ecs-url': { type: 'string' },
      'apigw-ws-url': { type: 'string' },
      'apigw-http-url': { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'usage: syncbell smoke [--user ID] [--timeout-ms N]',
        '       syncbell smoke [--ecs-url URL] [--apigw-ws-url WSS_URL --apigw-http-url URL] [--token JWT]',
        '',
        'Without URLs it reads the endpoints of the playground `npm start` runs in another shell.',
        'With URLs it checks a deployment (the stack outputs); the token is signed with JWT_SECRET',
        'unless --token is given.',
        '',
      ].join('\n'),
    );
    return 0;
  }
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new Error('--timeout-ms must be a positive integer');
  const ecsUrl = values['ecs-url'];
  const apigwWsUrl = values['apigw-ws-url'];
  const apigwHttpUrl = values['apigw-http-url'];
  if (apigwWsUrl && !apigwHttpUrl) throw new Error('--apigw-ws-url needs --apigw-http-url (the jobs API)');
  const token = values.token ?? (await signToken({ userId: values.user, key: resolveJwtSecret().key }));
  const explicit: SmokeTarget[] = [];
  if (ecsUrl) {
    explicit.push({
      variant: 'ecs-socketio',
      transport: socketIoTransport(),
      url: ecsUrl,
      jobsUrl: ecsUrl,
      crossContainer: true,
    });
  }
  if (apigwWsUrl && apigwHttpUrl) {
    explicit.push({
      variant: 'apigw-websocket',
      transport: apigwTransport(),
      url: apigwWsUrl,
      jobsUrl: apigwHttpUrl.replace(/\/$/, ''),
      crossContainer: false,
    });
  }
  const targets = explicit.length > 0 ? explicit : await (await readPlaygroundEndpoints()).smokeTargets();
  let ok = true;
  for (const target of targets) {
    const result = await smokeOne(target, token, timeoutMs);
    ok &&= result.delivered;
    process.stdout.write(
      result.delivered
        ? `✔ ${result.variant}: delivered in ${result.latencyMs} ms (${result.detail})\n`
        : `✘ ${result.variant}: NOT delivered: ${result.detail}\n`,
    );
  }
  return ok ? 0 : 1;
}
