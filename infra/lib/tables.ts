import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { APIGW_DEFAULTS } from '@syncbell/apigw';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from './removal.js';

/** Names the handlers depend on (apigw-websocket/src/config.ts, serverless.yml). */
export const CONNECTIONS_BY_USER_INDEX = APIGW_DEFAULTS.connectionsByUserIndex;
/** TTL attribute of both tables, in epoch seconds (milliseconds would never expire). */
export const TTL_ATTRIBUTE = 'ttl';

export interface TableProps {
  retain: boolean;
}

function tableDefaults(props: TableProps): Partial<dynamodb.TablePropsV2> {
  return {
    billing: dynamodb.Billing.onDemand(),
    timeToLiveAttribute: TTL_ATTRIBUTE,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: dataRemovalPolicy(props.retain),
    // No deletion protection: it would refuse the DeleteTable of a first deploy that rolls back
    // (RetainExceptOnCreate deletes what the failed attempt created), leaving the stack in
    // ROLLBACK_FAILED; the RetainExceptOnCreate policy keeps the tables on a later stack delete.
    // DEPLOY.md shows how to switch protection on once the stack is up.
  };
}

/**
 * Live WebSocket connections: `connectionId` -> `{ userId, connectedAt, ttl }`. `$disconnect` is
 * best-effort on AWS, so rows also expire through `ttl` just past the 2-hour connection cap, and
 * a 410 from the management API deletes the stale row. `notify` finds a user's connections through
 * the `byUser` GSI, never a scan; the GSI projects everything so `ttl` can be filtered on.
 */
export class ConnectionsTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: TableProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Resource', {
      ...tableDefaults(props),
      partitionKey: { name: 'connectionId', type: dynamodb.AttributeType.STRING },
      globalSecondaryIndexes: [
        {
          indexName: CONNECTIONS_BY_USER_INDEX,
          partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        },
      ],
    });
  }
}

/** The per-user replay log: `userId` + `id` (a ULID, so sorted by time), expiring through `ttl`. */
export class NotificationsTable extends Construct {
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: TableProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Resource', {
      ...tableDefaults(props),
      partitionKey: { name: 'userId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
  }
}
