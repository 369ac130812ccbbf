/** The SDK for the API Gateway variant: the core plus the WebSocket transport (no socket.io-client). */
export * from './index.js';
export * from './transports/apigw.js';
