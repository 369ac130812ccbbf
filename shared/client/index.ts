/**
 * The SDK's core: `createClient`, its types and errors, no transport. An app imports one of the
 * transport entries instead (`./socketio.js` or `./apigw.js`), each of which re-exports this, so
 * it pays only for the transport it uses. No module of the SDK has top-level side effects (and
 * none imports zod: see contract/checks.ts), so a bundler keeps only what the app calls; the
 * bundle-size test (test/shared/client/bundle-size.test.ts) holds the budgets.
 */
export * from '@syncbell/contract/backoff';
export * from './client.js';
export * from './dedupe.js';
export * from './disconnect-codes.js';
export {
  POSITION_KEY_PREFIX,
  type PositionStorage,
  positionKey,
  type StorageLike,
} from './position-store.js';
export * from './transport.js';
export * from './errors.js';
export {
  MalformedNotificationError,
  PayloadTooLargeError,
  SyncbellError,
} from '@syncbell/contract/errors';
export { CloseCode, ErrorCode } from '@syncbell/contract/codes';
export type { Notification } from '@syncbell/contract/envelope';
export type { ReceivedNotification } from '@syncbell/contract/evolution';
export type { NotificationType } from '@syncbell/contract/wire';
