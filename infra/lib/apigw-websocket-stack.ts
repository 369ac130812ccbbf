import { type CfnElement, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiGwAlarms } from './apigw-alarms.js';
import { AlarmTopic } from './alarm-topic.js';
import {
  type ApiGwWebSocketConfig,
  type ApiGwWebSocketOptions,
  resolveApiGwWebSocketConfig,
} from './config.js';
import { HandlerFunction, type HandlerName } from './handler-function.js';
import { JwtSecret } from './jwt-secret.js';
import { acknowledge, nagAttribute, nagPseudo, nagRef } from './nag.js';
import { CONNECTIONS_BY_USER_INDEX, ConnectionsTable, NotificationsTable } from './tables.js';
import { NotificationsWebSocketApi } from './websocket-api.js';

export interface ApiGwWebSocketStackProps extends StackProps {
  /** Every knob, documented in `config.ts`. @default all defaults */
  options?: ApiGwWebSocketOptions;
}

/**
 * The API Gateway variant: WebSocket API + HTTP API, six Lambda handlers, the connections and
 * notifications tables, alarms.
 *
 * Function environment: CONNECTIONS_TABLE, NOTIFICATIONS_TABLE, CONNECTIONS_BY_USER_INDEX,
 * WEBSOCKET_MANAGEMENT_ENDPOINT, NOTIFY_FUNCTION_NAME (jobs only), JWT_SECRET (a CloudFormation
 * dynamic reference to Secrets Manager, resolved at deploy time), NODE_ENV=production,
 * REPLAY_TTL_SECONDS, NOTIFY_CONCURRENCY, POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE.
 */
export class ApiGwWebSocketStack extends Stack {
  readonly config: ApiGwWebSocketConfig;
  readonly connections: ConnectionsTable;
  readonly notifications: NotificationsTable;
  readonly functions: Record<HandlerName, HandlerFunction>;
  readonly webSocket: NotificationsWebSocketApi;

  constructor(scope: Construct, id: string, props: ApiGwWebSocketStackProps = {}) {
    super(scope, id, {
      description: 'syncbell: API Gateway WebSocket + Lambda + DynamoDB',
      ...props,
    });
    const config = resolveApiGwWebSocketConfig(props.options ?? {});
    this.config = config;

    this.connections = new ConnectionsTable(this, 'Connections', { retain: config.retainData });
    this.notifications = new NotificationsTable(this, 'Notifications', { retain: config.retainData });
    const jwt = new JwtSecret(this, 'JwtSecret', {
      existingSecretName: config.jwtSecretName,
      retain: config.retainData,
    });

    const environment: Record<string, string> = {
      NODE_ENV: 'production',
      CONNECTIONS_TABLE: this.connections.table.tableName,
      NOTIFICATIONS_TABLE: this.notifications.table.tableName,
      CONNECTIONS_BY_USER_INDEX,
      // The handlers read JWT_SECRET from the environment. A dynamic reference keeps the value
      // out of the template; it is resolved at deploy time and visible to principals allowed
      // lambda:GetFunctionConfiguration (DEPLOY.md: restrict that, or rotate with a redeploy).
      JWT_SECRET: jwt.secret.secretValue.unsafeUnwrap(),
      REPLAY_TTL_SECONDS: String(config.replayTtlSeconds),
      NOTIFY_CONCURRENCY: String(config.notifyConcurrency),
      POWERTOOLS_SERVICE_NAME: config.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: config.metricsNamespace,
    };
    const make = (
      name: HandlerName,
      extra: Record<string, string> = {},
      timeoutSeconds = config.handlerTimeoutSeconds,
    ) =>
      new HandlerFunction(this, `${name[0]?.toUpperCase()}${name.slice(1)}Handler`, {
        name,
        memoryMiB: config.memoryMiB,
        architecture: config.lambdaArchitecture,
        timeoutSeconds,
        environment: { ...environment, ...extra },
        logRetentionDays: config.logRetentionDays,
        retainLogs: config.retainData,
      });

    // The endpoint names the stage, which needs the API, which needs the handlers: so functions
    // that post learn the endpoint after the API exists (addEnvironment below).
    const notify = make('notify', {}, config.notifyTimeoutSeconds);
    this.functions = {
      connect: make('connect'),
      disconnect: make('disconnect'),
      default: make('default'),
      notify,
      jobs: make('jobs', { NOTIFY_FUNCTION_NAME: notify.fn.functionName }),
      authorizer: make('authorizer'),
    };
    const fn = (name: HandlerName) => this.functions[name].fn;

    this.webSocket = new NotificationsWebSocketApi(this, 'WebSocket', {
      stageName: config.stageName,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      jobsThrottleRateLimit: config.jobsThrottleRateLimit,
      jobsThrottleBurstLimit: config.jobsThrottleBurstLimit,
      authorizerCacheTtlSeconds: config.authorizerCacheTtlSeconds,
      logRetentionDays: config.logRetentionDays,
      retainLogs: config.retainData,
      manageAccountLogRole: config.manageApiGatewayAccountLogRole,
      handlers: {
        connect: fn('connect'),
        disconnect: fn('disconnect'),
        default: fn('default'),
        authorizer: fn('authorizer'),
        jobs: fn('jobs'),
      },
    });
    for (const name of ['default', 'notify'] as const) {
      fn(name).addEnvironment('WEBSOCKET_MANAGEMENT_ENDPOINT', this.webSocket.managementEndpoint);
    }

    // --- least privilege, through grants only -------------------------------------------------
    this.connections.table.grantWriteData(fn('connect'));
    this.connections.table.grantWriteData(fn('disconnect'));
    // $default: reads its own row when the authorizer context is missing, deletes it on a 410,
    // reads the user's replay log, and answers through the management API.
    this.connections.table.grantReadWriteData(fn('default'));
    this.notifications.table.grantReadData(fn('default'));
    this.webSocket.stage.grantManagementApiAccess(fn('default'));
    // notify: appends to the log, queries byUser, deletes stale rows, posts.
    this.connections.table.grantReadWriteData(fn('notify'));
    this.notifications.table.grantReadWriteData(fn('notify'));
    this.webSocket.stage.grantManagementApiAccess(fn('notify'));
    notify.fn.grantInvoke(fn('jobs'));
    this.acknowledgeGrantWildcards();

    const alarms = new AlarmTopic(this, 'Alarms', { email: config.alarmEmail });
    new ApiGwAlarms(this, 'Monitoring', {
      topic: alarms,
      stage: this.webSocket.stage,
      httpApi: this.webSocket.httpApi,
      functions: Object.fromEntries(Object.entries(this.functions).map(([name, h]) => [name, h.fn])),
      errorThreshold: config.errorAlarmThreshold,
      goneThreshold: config.goneAlarmThreshold,
      metricsNamespace: config.metricsNamespace,
      serviceName: config.serviceName,
      goneMetricName: config.goneMetricName,
    });

    new CfnOutput(this, 'WebSocketUrl', {
      description: 'WebSocket endpoint (SDK `url`, apigw transport; append ?token=...)',
      value: this.webSocket.url,
    });
    new CfnOutput(this, 'JobsUrl', {
      description: 'POST {JobsUrl}/jobs/sync starts a demo job',
      value: this.webSocket.jobsUrl,
    });
    new CfnOutput(this, 'ManagementEndpoint', { value: this.webSocket.managementEndpoint });
    // With ManagementEndpoint: what `createApiGwPublisher` needs to publish from outside the stack.
    new CfnOutput(this, 'ConnectionsTable', { value: this.connections.table.tableName });
    new CfnOutput(this, 'NotificationsTable', { value: this.notifications.table.tableName });
    new CfnOutput(this, 'JwtSecretArn', {
      description: 'Secret that signs client tokens',
      value: jwt.secret.secretArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }

  /**
   * The wildcards the grants above produce, each named exactly: a new wildcard elsewhere still
   * fails cdk-nag.
   */
  private acknowledgeGrantWildcards(): void {
    const connectionsIndexes = `AwsSolutions-IAM5[Resource::${nagAttribute(this.connections.table.node.defaultChild as CfnElement)}/index/*]`;
    for (const name of ['connect', 'disconnect', 'default', 'notify'] as const) {
      acknowledge(this.functions[name].fn, [
        {
          id: connectionsIndexes,
          reason:
            'Table grants cover the table and its indexes; the only index is byUser, which notify queries (the others are write-only on the table).',
        },
      ]);
    }
    const api = nagRef(this.webSocket.api.node.defaultChild as CfnElement);
    const connectionsArn = `arn:<AWS::Partition>:execute-api:${nagPseudo(this, 'region')}:${nagPseudo(this, 'account')}:${api}/${this.config.stageName}/*/@connections/*`;
    for (const name of ['default', 'notify'] as const) {
      acknowledge(this.functions[name].fn, [
        {
          id: `AwsSolutions-IAM5[Resource::${connectionsArn}]`,
          reason:
            'grantManagementApiAccess: connection ids exist only at run time; the grant is limited to the @connections resource of this API and stage.',
        },
      ]);
    }
    acknowledge(this.functions.jobs.fn, [
      {
        id: `AwsSolutions-IAM5[Resource::${nagAttribute(this.functions.notify.fn.node.defaultChild as CfnElement)}:*]`,
        reason:
          'grantInvoke on notify also covers its versions and aliases (the `:*` suffix); no other function.',
      },
    ]);
  }
}
