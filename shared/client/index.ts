export * from './backoff.js';
export * from './client.js';
export * from './dedupe.js';
export * from './transport.js';
export * from './transports/socketio.js';
export * from './transports/apigw.js';
