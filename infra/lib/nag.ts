import { type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface NagAcknowledgement {
  /** Rule id, with the finding for multi-finding rules: `AwsSolutions-IAM5[Resource::*]`. */
  id: string;
  /** Why the finding is accepted; reviewers read this, so say what makes it safe. */
  reason: string;
}

/**
 * Records accepted cdk-nag findings on a construct (cdk-nag 3 reads CDK's own acknowledgements;
 * they apply to the construct and everything under it).
 */
export function acknowledge(scope: IConstruct, acknowledgements: NagAcknowledgement[]): void {
  for (const acknowledgement of acknowledgements) Validations.of(scope).acknowledge(acknowledgement);
}

/**
 * How cdk-nag prints a resource attribute inside a finding id (`<LogicalId.Arn>`), so that an
 * acknowledgement names the exact grant it accepts rather than every wildcard on the role.
 */
export function nagAttribute(element: CfnElement, attribute = 'Arn'): string {
  return `<${Stack.of(element).getLogicalId(element)}.${attribute}>`;
}

/** As `nagAttribute`, for a `Ref` (`<LogicalId>`). */
export function nagRef(element: CfnElement): string {
  return `<${Stack.of(element).getLogicalId(element)}>`;
}

/** The stack's region or account as cdk-nag prints it: the literal, or the pseudo parameter. */
export function nagPseudo(scope: IConstruct, which: 'region' | 'account'): string {
  const stack = Stack.of(scope);
  const value = which === 'region' ? stack.region : stack.account;
  if (!Token.isUnresolved(value)) return value;
  return which === 'region' ? '<AWS::Region>' : '<AWS::AccountId>';
}
