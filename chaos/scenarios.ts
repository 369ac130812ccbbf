import { apigwBadInput } from './apigw/bad-input.js';
import { apigwFaultScenarios } from './apigw/faults.js';
import { ecsBadInput } from './ecs/bad-input.js';
import { ecsClusterScenarios } from './ecs/cluster.js';
import { ecsFaultScenarios } from './ecs/faults.js';
import { apigwNewerServer, ecsNewerServer } from './newer-server.js';
import type { Scenario } from './scenario.js';

/** Every scenario of issue 8, in the order the runner runs them. */
export const allScenarios: Scenario[] = [
  ...ecsFaultScenarios,
  ...ecsClusterScenarios,
  ecsBadInput,
  ecsNewerServer,
  ...apigwFaultScenarios,
  apigwBadInput,
  apigwNewerServer,
];

/** The ones `npm test` runs too (at `quick` scale), through the same code. */
export const fastScenarios: Scenario[] = allScenarios.filter((scenario) => scenario.fast);
