import type { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/** cdk-nag's AwsSolutions findings nobody acknowledged, as `rule @ construct path` lines. */
export function unacknowledgedFindings(stack: Stack): string[] {
  return new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath)}`);
}
