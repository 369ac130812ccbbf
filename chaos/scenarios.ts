import { apigwBadInput } from './apigw/bad-input.js';
import { apigwFaultScenarios } from './apigw/faults.js';
import { apigwStormScenarios } from './apigw/storms.js';
import { ecsBadInput } from './ecs/bad-input.js';
import { ecsClusterScenarios } from './ecs/cluster.js';
import { ecsFaultScenarios } from './ecs/faults.js';
import { ecsStormScenarios } from './ecs/storms.js';
import { apigwNewerServer, ecsNewerServer } from './newer-server.js';
import type { Scenario } from './scenario.js';

/** Every fault and abuse scenario, in the order `npm run chaos` runs them (docs/RELIABILITY.md). */
export const allScenarios: Scenario[] = [
  ...ecsFaultScenarios,
  ...ecsClusterScenarios,
  ecsBadInput,
  ecsNewerServer,
  ...apigwFaultScenarios,
  apigwBadInput,
  apigwNewerServer,
];

/**
 * Deploys and reconnect storms at thousands of clients (`npm run chaos -- --suite storms`,
 * docs/RELIABILITY-STORMS.md): measurements with goals, each run long enough (minutes, most of the
 * machine) to get a report of its own rather than slow every fault run.
 */
export const stormScenarios: Scenario[] = [...ecsStormScenarios, ...apigwStormScenarios];

/** The ones `npm test` runs too (at `quick` scale), through the same code. */
export const fastScenarios: Scenario[] = allScenarios.filter((scenario) => scenario.fast);
