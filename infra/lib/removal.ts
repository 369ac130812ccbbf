import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * Removal policy of everything that holds data (tables, secrets, log groups, log buckets) under
 * `retainData`. `RETAIN_ON_UPDATE_OR_DELETE` renders `DeletionPolicy: RetainExceptOnCreate` and
 * `UpdateReplacePolicy: Retain`: a first deploy that rolls back deletes what it created (a plain
 * `Retain` leaves it behind, and the next attempt then fails on the names it left), while a later
 * delete or replacement keeps the data (AWS CloudFormation user guide, "DeletionPolicy attribute":
 * RetainExceptOnCreate).
 */
export function dataRemovalPolicy(retain: boolean): RemovalPolicy {
  return retain ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
}
