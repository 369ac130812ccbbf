export * from './authenticate.js';
export * from './bearer.js';
export * from './tokens.js';
