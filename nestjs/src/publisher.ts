import type { PublishInput, PublishReceipt, Publisher } from '@syncbell/server';

/**
 * The injectable publisher (token and type): `constructor(@Inject(SyncbellPublisher) private
 * readonly notifications: SyncbellPublisher)`, then `await this.notifications.publish({ userId,
 * type: 'sync.complete', jobId })` from any instance or worker. Backed by the socket.io publisher
 * (one Redis script: claim, log, publish) or the API Gateway publisher, by the module's variant;
 * idempotent by `jobId` either way. An abstract class, so it is a token Nest can inject by type
 * where design-type metadata is emitted (tsc) and with `@Inject` where it is not (tsx, esbuild).
 */
export abstract class SyncbellPublisher implements Publisher {
  abstract publish(input: PublishInput): Promise<PublishReceipt>;
  /** The module closes it when the app closes; calling it yourself is never needed. */
  abstract close(): Promise<void>;
}
