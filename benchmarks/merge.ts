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
  'scale-cluster': 'scaleCluster',
};

/**
 * Puts the scenarios a later, narrower run measured into an earlier full run's results (after a
 * change that only moves those figures, re-measuring 47 minutes of the rest would add nothing).
 * The result says so: `remeasured` records what was replaced, when, with which command and commit,
 * and the report prints it next to the original run's header. Both runs must be of the same
 * profile. A contender the base run lacks (one added since) joins whole, only from a run that
 * measured it in every scenario: the merge never invents a figure, and its row is all of one run.
 */
export function mergeResults(base: BenchResults, later: BenchResults, scenarios: ScenarioId[]): BenchResults {
  if (base.profile !== later.profile)
    throw new Error(`cannot merge a ${later.profile}-profile run into a ${base.profile}-profile run`);
  const contenders = base.contenders.map((c) => ({ ...c }));
  for (const fresh of later.contenders) {
    const target = contenders.find((c) => c.id === fresh.id);
    if (!target) {
      const missing = (Object.keys(RESULT_KEY) as ScenarioId[]).filter((s) => !scenarios.includes(s));
      if (missing.length > 0)
        throw new Error(
          `the base run has no contender "${fresh.id}": it can join only measured in every scenario (this run skipped ${missing.join(', ')})`,
        );
      contenders.push({ ...fresh });
      continue;
    }
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

/**
 * Which run measured `contender`'s `scenario` in merged results: the index of the last re-run that
 * replaced it, or -1 for the base run. Two figures make a "same run" ratio only when these agree.
 */
export function measuringRun(results: BenchResults, contender: string, scenario: ScenarioId): number {
  const runs = results.remeasured ?? [];
  for (let i = runs.length - 1; i >= 0; i--) {
    const run = runs[i];
    if (run?.contenders.includes(contender) && run.scenarios.includes(scenario)) return i;
  }
  return -1;
}

/** Whether both contenders' `scenario` figures come from one run (always, in a run never merged into). */
export function measuredInOneRun(results: BenchResults, a: string, b: string, scenario: ScenarioId): boolean {
  return measuringRun(results, a, scenario) === measuringRun(results, b, scenario);
}
