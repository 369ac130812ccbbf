/**
 * `@syncbell/cdk`: syncbell's two variants as CDK constructs for an existing app and account.
 * `SyncbellSocketIoService` (socket.io on Fargate + ALB + Redis) and `SyncbellWebSocketApi`
 * (API Gateway WebSockets + Lambda + DynamoDB); the demo stacks in this package compose them.
 */
export type { ApiGwWebSocketOptions, CommonOptions, EcsSocketIoOptions } from './config.js';
export { InfraConfigError, InfraErrorCode } from './config.js';
export {
  type SyncbellListenerRule,
  type SyncbellRedisEndpoint,
  SyncbellSocketIoService,
  type SyncbellSocketIoServiceProps,
} from './socketio-service.js';
export {
  SyncbellWebSocketApi,
  type SyncbellWebSocketApiProps,
  type WebSocketCustomDomain,
} from './apigw-service.js';
