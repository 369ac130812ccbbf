export * from './codes.js';
export * from './envelope.js';
export * from './errors.js';
export * from './evolution.js';
export * from './protocol.js';
export * from './replay.js';
