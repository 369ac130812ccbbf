/** The SDK for the ECS variant: the core plus the socket.io transport (pulls in socket.io-client). */
export * from './index.js';
export * from './transports/socketio.js';
