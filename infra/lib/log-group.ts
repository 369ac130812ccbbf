import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { dataRemovalPolicy } from './removal.js';

export interface StackLogGroupProps {
  retentionDays: number;
  /** Keep the group (and its logs) when the stack is deleted (`retainData`). */
  retain: boolean;
}

/** A log group that expires its logs and follows the stack's `retainData` on deletion. */
export function stackLogGroup(scope: Construct, id: string, props: StackLogGroupProps): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    retention: props.retentionDays,
    removalPolicy: dataRemovalPolicy(props.retain),
  });
}
