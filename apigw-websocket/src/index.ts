/**
 * `@syncbell/apigw`: the API Gateway WebSocket variant as a library: the handler factories (each
 * handler module also exports a ready `handler` for Lambda, at `@syncbell/apigw/handlers/<name>`),
 * the publisher, and the configuration they read. The demo job API (`POST /jobs/sync`) is not part
 * of it: its Lambda is `@syncbell/apigw/handlers/jobs` (deployed only when a stack turns the demo
 * route on), and its contract is `@syncbell/contract/jobs`.
 */
export { type AuthorizerDeps, createAuthorizerHandler } from './handlers/authorizer.js';
export { type ConnectDeps, createConnectHandler } from './handlers/connect.js';
export { createDefaultHandler, type DefaultDeps } from './handlers/default.js';
export { createDisconnectHandler, type DisconnectDeps } from './handlers/disconnect.js';
export {
  createNotifyHandler,
  type NotifyDeps,
  type NotifyEvent,
  type NotifyResult,
} from './handlers/notify.js';
export {
  createPublishHandler,
  MAX_PUBLISH_BODY_BYTES,
  PUBLISH_API_KEY_HEADER,
  type PublishRouteDeps,
} from './handlers/publish.js';
export * from './config.js';
export * from './defaults.js';
export * from './errors.js';
export * from './publisher.js';
