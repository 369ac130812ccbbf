/**
 * The benchmark scenarios, one module each under scenarios/ (the shared plumbing in
 * scenarios/shared.ts); the harness, scale and target-cost runs import them from here.
 */
export {
  contenderContext,
  fleetOptions,
  publishAndCollect,
  publishPaced,
  quietOptions,
  type ScenarioContext,
  scaleNote,
  startOptions,
  waitUntil,
} from './scenarios/shared.js';
export * from './scenarios/unicast.js';
export * from './scenarios/fanout.js';
export * from './scenarios/capacity.js';
export * from './scenarios/wire-bytes.js';
export * from './scenarios/drop.js';
export * from './scenarios/lifecycle.js';
export * from './scenarios/sticky.js';
