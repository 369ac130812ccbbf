import {
  createClient,
  type ClientOptions,
  type DeliveryMeta,
  type SyncbellClient,
  type Transport,
} from '../../shared/client/index.js';
import type { ReceivedNotification, SyncbellError } from '../../shared/contract/index.js';

export interface Received {
  notification: ReceivedNotification;
  meta: DeliveryMeta;
}

/** An SDK client that records what it receives and lets a test wait for counts and states. */
export interface RecordingClient {
  client: SyncbellClient;
  received: Received[];
  errors: SyncbellError[];
  states: string[];
  /** Resolves when `predicate` holds; re-checked on every client event. */
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
  waitForState(state: string, timeoutMs?: number): Promise<void>;
  /** Waits for the next `resumed` event after this call. */
  nextResume(timeoutMs?: number): Promise<{ replayed: number; truncated: boolean; servedBy?: string }>;
  close(): void;
}

export function recordingClient(options: ClientOptions): RecordingClient {
  const client = createClient({ ...options, autoConnect: false });
  const received: Received[] = [];
  const errors: SyncbellError[] = [];
  const states: string[] = [];
  const checks = new Set<() => void>();
  const poke = () => {
    for (const check of [...checks]) check();
  };
  client.on('notification', (event) => {
    received.push(event);
    poke();
  });
  client.on('error', (error) => {
    errors.push(error);
    poke();
  });
  client.on('state', (change) => {
    states.push(change.newState);
    poke();
  });
  client.on('resumed', poke);

  const waitFor = (predicate: () => boolean, what: string, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      if (predicate()) return resolve();
      const timer = setTimeout(() => {
        checks.delete(check);
        reject(
          new Error(
            `timed out waiting for ${what}; received ${received.length}, states ${states.join(' > ')}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        checks.delete(check);
        resolve();
      };
      checks.add(check);
    });

  const recorder: RecordingClient = {
    client,
    received,
    errors,
    states,
    waitFor,
    waitForCount: (count, timeoutMs) =>
      waitFor(() => received.length >= count, `${count} notifications`, timeoutMs),
    waitForState: (state, timeoutMs) => waitFor(() => client.state === state, `state ${state}`, timeoutMs),
    nextResume: (timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a resume')), timeoutMs);
        const off = client.on('resumed', (event) => {
          clearTimeout(timer);
          off();
          resolve(event);
        });
      }),
    close: () => client.close(),
  };
  return recorder;
}

/** Where a suite's clients connect: a variant harness, as far as connecting goes. */
export interface ConnectTarget {
  url: string;
  transport(): Transport;
  token(userId: string): Promise<string>;
}

/**
 * A recording client for `userId`, connected and resumed, kept in `clients` for the suite to close.
 * Quick reconnects: the suites stop and drop connections on purpose.
 */
export async function connectRecorder(
  target: ConnectTarget,
  clients: RecordingClient[],
  userId: string,
  extra: Partial<Pick<ClientOptions, 'resumeAfter' | 'minReconnectDelayMs' | 'maxReconnectDelayMs'>> = {},
): Promise<RecordingClient> {
  const recorder = recordingClient({
    transport: target.transport(),
    url: target.url,
    token: await target.token(userId),
    minReconnectDelayMs: 50,
    maxReconnectDelayMs: 200,
    ...extra,
  });
  clients.push(recorder);
  const resumed = recorder.nextResume();
  recorder.client.connect();
  await resumed;
  return recorder;
}
