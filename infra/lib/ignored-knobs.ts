import { Annotations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A knob set for a resource the caller brought would silently do nothing (`natGateways` with
 * their `vpc`): say so as a synth warning on `scope`. `ignoredWhen` maps a resource prop to the
 * knobs that only size the resource the construct would otherwise create.
 */
export function warnIgnoredKnobs<P extends object>(
  scope: IConstruct,
  props: P,
  ignoredWhen: Partial<Record<keyof P, readonly (keyof P)[]>>,
): void {
  for (const [resource, knobs] of Object.entries(ignoredWhen) as [keyof P & string, (keyof P & string)[]][]) {
    if (props[resource] === undefined) continue;
    const set = knobs.filter((knob) => props[knob] !== undefined);
    if (set.length === 0) continue;
    const one = set.length === 1;
    Annotations.of(scope).addWarningV2(
      `syncbell:ignoredKnobs:${resource}`,
      `${set.join(', ')} ${one ? 'has' : 'have'} no effect: the ${resource} is yours (set ${one ? 'it' : 'them'} on it instead)`,
    );
  }
}
