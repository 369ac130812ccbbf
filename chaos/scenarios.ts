import { ecsBadInput } from './ecs/bad-input.js';
import { ecsFaultScenarios } from './ecs/faults.js';
import type { Scenario } from './scenario.js';

/** Every scenario of issue 8, in the order the runner runs them. */
export const allScenarios: Scenario[] = [...ecsFaultScenarios, ecsBadInput];
