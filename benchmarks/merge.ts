import type { ScenarioId } from './harness.js';
import type { BenchResults, ContenderResult } from './results-schema.js';

/** Scenario ids as they are keyed in a contender's results (`wire-bytes` is stored as `wireBytes`). */
export const RESULT_KEY: Record<ScenarioId, keyof ContenderResult> = {
  unicast: 'unicast',
  fanout: 'fanout',
  capacity: 'capacity',
  'wire-bytes': 'wireBytes',
  drop: 'drop',
  lifecycle: 'lifecycle',
  sticky: 'sticky',
  scale: 'scale',
};

/**
 * Puts the scenarios a later, narrower run measured into an earlier full run's results (after a
 * change that only moves those figures, re-measuring 47 minutes of the rest would add nothing).
 * The result says so: `remeasured` records what was replaced, when, with which command and commit,
 * and the report prints it next to the original run's header. Both runs must be of the same
 * profile; a contender the base run lacks is an error (the merge never invents rows).
 */
export function mergeResults(base: BenchResults, later: BenchResults, scenarios: ScenarioId[]): BenchResults {
  if (base.profile !== later.profile)
    throw new Error(`cannot merge a ${later.profile}-profile run into a ${base.profile}-profile run`);
  const contenders = base.contenders.map((c) => ({ ...c }));
  for (const fresh of later.contenders) {
    const target = contenders.find((c) => c.id === fresh.id);
    if (!target) throw new Error(`the base run has no contender "${fresh.id}" to merge into`);
    for (const scenario of scenarios) {
      const key = RESULT_KEY[scenario];
      (target as Record<string, unknown>)[key] = fresh[key];
    }
  }
  return {
    ...base,
    contenders,
    remeasured: [
      ...(base.remeasured ?? []),
      {
        scenarios,
        contenders: later.contenders.map((c) => c.id),
        date: later.date,
        command: later.command,
        gitCommit: later.gitCommit,
        node: later.node,
        durationSeconds: later.durationSeconds,
        loadAverageAtStart: later.machine.loadAverageAtStart,
        loadAverageAtEnd: later.machine.loadAverageAtEnd,
      },
    ],
  };
}
