import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SyncbellWebSocketApi } from './apigw-service.js';
import { HANDLER_NAMES, type HandlerFunction, type HandlerName } from './handler-function.js';
import type { NotificationsWebSocketApi } from './websocket-api.js';
import {
  type ApiGwWebSocketConfig,
  type ApiGwWebSocketOptions,
  MissingPartError,
  resolveApiGwWebSocketConfig,
} from './config.js';

export interface ApiGwWebSocketStackProps extends StackProps {
  /** Every knob, documented in `config.ts`. @default all defaults */
  options?: ApiGwWebSocketOptions;
}

/**
 * The API Gateway variant as a demo stack: `SyncbellWebSocketApi` with the demo's `POST /jobs/sync`
 * beside the IAM-authorized `POST /v1/publish`, and what a publisher needs as outputs.
 */
export class ApiGwWebSocketStack extends Stack {
  readonly config: ApiGwWebSocketConfig;
  readonly api: SyncbellWebSocketApi;
  /** Every handler: the demo deploys all of them. */
  readonly functions: Record<HandlerName, HandlerFunction>;

  constructor(scope: Construct, id: string, props: ApiGwWebSocketStackProps = {}) {
    super(scope, id, {
      description: 'syncbell: API Gateway WebSocket + Lambda + DynamoDB',
      ...props,
    });
    // Validated here first, so that a bad context value is reported under its context key.
    this.config = resolveApiGwWebSocketConfig(props.options ?? {});
    this.api = new SyncbellWebSocketApi(this, 'Syncbell', { ...this.config, jobsRoute: true });
    const { functions } = this.api;
    this.functions = Object.fromEntries(
      HANDLER_NAMES.map((name) => {
        const fn = functions[name];
        if (fn === undefined) throw new MissingPartError(`the demo stack lacks the ${name} handler`);
        return [name, fn];
      }),
    ) as Record<HandlerName, HandlerFunction>;

    new CfnOutput(this, 'WebSocketUrl', {
      description: 'WebSocket endpoint (SDK `url`, apigw transport; append ?token=...)',
      value: this.api.url,
    });
    new CfnOutput(this, 'JobsUrl', {
      description: 'POST {JobsUrl}/jobs/sync starts a demo job',
      value: this.api.webSocket.httpUrl ?? '',
    });
    new CfnOutput(this, 'PublishUrl', {
      description: 'POST here (SigV4-signed, by a principal granted grantPublish) to publish',
      value: this.api.publishUrl ?? '',
    });
    new CfnOutput(this, 'ManagementEndpoint', { value: this.api.managementEndpoint });
    // With ManagementEndpoint: what `createApiGwPublisher` needs to publish from outside the stack.
    new CfnOutput(this, 'ConnectionsTable', { value: this.api.connections.table.tableName });
    new CfnOutput(this, 'NotificationsTable', { value: this.api.notifications.table.tableName });
    new CfnOutput(this, 'JwtSecretArn', {
      description: 'Secret that signs client tokens',
      value: this.api.jwtSecret.secretArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.api.alarmTopic.topicArn });
  }

  get webSocket(): NotificationsWebSocketApi {
    return this.api.webSocket;
  }
}
