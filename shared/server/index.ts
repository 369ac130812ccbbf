/**
 * syncbell's server-side shared pieces, for both variants and for a backend that publishes: token
 * signing and verification (jose), the `Publisher` interface every variant's publisher implements,
 * and its input checks. Not for browsers (jose's Node build, `process.env`).
 */
export * from './auth/index.js';
export * from './publish/publisher.js';
export * from './publish/credential.js';
export * from './http/status.js';
export * from './env.js';
export * from './errors.js';
export * from './config.js';
export * from './logger.js';
