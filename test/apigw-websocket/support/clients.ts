import type { Transport } from '@syncbell/client';
import type { VariantHarness } from '../../contract/harness.js';
import { type RecordingClient, recordingClient } from '../../support/recorder.js';

export interface ConnectedOptions {
  /** @default harness.transport() */
  transport?: Transport;
  /** @default 50 */
  minReconnectDelayMs?: number;
  /** @default 200 */
  maxReconnectDelayMs?: number;
}

/** An SDK client for `userId`, connected and resumed; registered in `clients` for cleanup. */
export async function connected(
  harness: VariantHarness,
  clients: RecordingClient[],
  userId: string,
  options: ConnectedOptions = {},
): Promise<RecordingClient> {
  const recorder = recordingClient({
    transport: options.transport ?? harness.transport(),
    url: harness.url,
    token: await harness.token(userId),
    minReconnectDelayMs: options.minReconnectDelayMs ?? 50,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 200,
  });
  clients.push(recorder);
  const resumed = recorder.nextResume();
  recorder.client.connect();
  await resumed;
  return recorder;
}
