export * from './checks.js';
export * from './codes.js';
export * from './envelope.js';
export * from './errors.js';
export * from './evolution.js';
export * from './protocol.js';
export * from './replay.js';
export * from './wire.js';
