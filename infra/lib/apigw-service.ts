import { type CfnElement, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ApiGwAlarms } from './apigw-alarms.js';
import { AlarmTopic } from './alarm-topic.js';
import {
  type ApiGwWebSocketConfig,
  type ApiGwWebSocketOptions,
  InfraConfigError,
  resolveApiGwWebSocketConfig,
} from './config.js';
import { HandlerFunction, type HandlerName } from './handler-function.js';
import { warnIgnoredKnobs } from './ignored-knobs.js';
import { jwtSecretOf } from './jwt-secret.js';
import { acknowledge, nagAttribute, nagPseudo, nagRef } from './nag.js';
import { CONNECTIONS_BY_USER_INDEX, ConnectionsTable, NotificationsTable } from './tables.js';
import {
  HTTP_STAGE_NAME,
  NotificationsWebSocketApi,
  PUBLISH_PATH,
  type WebSocketCustomDomain,
} from './websocket-api.js';

export type { WebSocketCustomDomain } from './websocket-api.js';

/**
 * Props: every knob of `ApiGwWebSocketOptions` (stage, throttles, memory, timeouts, alarm
 * thresholds; validated at synth), plus what to bring or switch on.
 */
export interface SyncbellWebSocketApiProps extends ApiGwWebSocketOptions {
  /** The HS256 token secret (`JWT_SECRET`). @default the secret named `jwtSecretName`, else a new one */
  jwtSecret?: secretsmanager.ISecret;
  /** Where the alarms notify. @default a new topic (`alarmEmail` subscribed) */
  alarmTopic?: sns.ITopic;
  /** Serve the WebSocket API on your domain (`wss://{domainName}`). @default the execute-api host */
  customDomain?: WebSocketCustomDomain;
  /**
   * `POST /v1/publish` on the HTTP API, IAM-authorized (SigV4): the publisher for backends in any
   * language. Nobody may call it until granted: `grantPublish(role)`.
   * @default true
   */
  publishRoute?: boolean;
  /** The demo's `POST /jobs/sync` and its jobs function (starts a fake sync job). @default false */
  jobsRoute?: boolean;
  /** Lock file the handlers are bundled against. @default CDK's: the nearest one above the working directory */
  depsLockFilePath?: string;
  /** Root the bundler may read (the handlers must be inside it). @default the lock file's directory */
  projectRoot?: string;
}

const RESOURCE_PROPS = [
  'jwtSecret',
  'alarmTopic',
  'customDomain',
  'publishRoute',
  'jobsRoute',
  'depsLockFilePath',
  'projectRoot',
] as const satisfies readonly Exclude<keyof SyncbellWebSocketApiProps, keyof ApiGwWebSocketOptions>[];

/**
 * syncbell's API Gateway variant as one construct: the WebSocket API (`$connect` behind the token
 * authorizer, `$disconnect`, `$default`), the Lambda handlers bundled from the installed
 * `@syncbell/apigw`, the connections and notifications tables, the HTTP publish route with IAM auth,
 * alarms, and optionally a custom domain.
 *
 * Function environment: CONNECTIONS_TABLE, NOTIFICATIONS_TABLE, CONNECTIONS_BY_USER_INDEX,
 * WEBSOCKET_MANAGEMENT_ENDPOINT (default, notify, publish), NOTIFY_FUNCTION_NAME (jobs only),
 * JWT_SECRET_ARN (the handlers read the secret at cold start; its value is in no environment),
 * NODE_ENV=production, REPLAY_TTL_SECONDS, NOTIFY_CONCURRENCY, POWERTOOLS_SERVICE_NAME,
 * POWERTOOLS_METRICS_NAMESPACE.
 */
export class SyncbellWebSocketApi extends Construct {
  readonly config: ApiGwWebSocketConfig;
  readonly connections: ConnectionsTable;
  readonly notifications: NotificationsTable;
  /** The handlers deployed: connect, disconnect, default, notify, authorizer, and publish / jobs when on. */
  readonly functions: Partial<Record<HandlerName, HandlerFunction>>;
  readonly webSocket: NotificationsWebSocketApi;
  readonly jwtSecret: secretsmanager.ISecret;
  readonly alarmTopic: sns.ITopic;
  /**
   * notify's on-failure destination: every accepted event Lambda could not deliver (retries
   * exhausted, or older than `notifyMaxEventAgeSeconds`) lands here with its request payload;
   * docs/APIGW.md shows the redrive. Alarmed on its first message.
   */
  readonly notifyDeadLetters: sqs.Queue;

  constructor(scope: Construct, id: string, props: SyncbellWebSocketApiProps = {}) {
    super(scope, id);
    const options = Object.fromEntries(
      Object.entries(props).filter(([key]) => !(RESOURCE_PROPS as readonly string[]).includes(key)),
    );
    const config = resolveApiGwWebSocketConfig(options, `${this.node.path} props`);
    this.config = config;
    warnIgnoredKnobs(this, props, { jwtSecret: ['jwtSecretName'], alarmTopic: ['alarmEmail'] });

    this.connections = new ConnectionsTable(this, 'Connections', { retain: config.retainData });
    this.notifications = new NotificationsTable(this, 'Notifications', { retain: config.retainData });
    this.jwtSecret = jwtSecretOf(this, props.jwtSecret, config);

    const environment: Record<string, string> = {
      NODE_ENV: 'production',
      CONNECTIONS_TABLE: this.connections.table.tableName,
      NOTIFICATIONS_TABLE: this.notifications.table.tableName,
      CONNECTIONS_BY_USER_INDEX,
      // The ARN, never the value: a value in the environment is readable by anyone allowed
      // lambda:GetFunctionConfiguration. The handlers read it at cold start (loadSecrets).
      JWT_SECRET_ARN: this.jwtSecret.secretArn,
      REPLAY_TTL_SECONDS: String(config.replayTtlSeconds),
      NOTIFY_CONCURRENCY: String(config.notifyConcurrency),
      POWERTOOLS_SERVICE_NAME: config.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: config.metricsNamespace,
    };
    const make = (
      name: HandlerName,
      extra: Record<string, string> = {},
      { timeoutSeconds = config.handlerTimeoutSeconds, reserved = 0 } = {},
    ) => {
      const handler = new HandlerFunction(this, `${name[0]?.toUpperCase()}${name.slice(1)}Handler`, {
        name,
        memoryMiB: config.memoryMiB,
        architecture: config.lambdaArchitecture,
        timeoutSeconds,
        environment: { ...environment, ...extra },
        logRetentionDays: config.logRetentionDays,
        retainLogs: config.retainData,
        reservedConcurrency: reserved > 0 ? reserved : undefined,
        depsLockFilePath: props.depsLockFilePath,
        projectRoot: props.projectRoot,
      });
      this.jwtSecret.grantRead(handler.fn);
      return handler;
    };

    // The endpoint names the stage, which needs the API, which needs the handlers: so functions
    // that post learn the endpoint after the API exists (addEnvironment below).
    const notify = make(
      'notify',
      {},
      { timeoutSeconds: config.notifyTimeoutSeconds, reserved: config.notifyReservedConcurrency },
    );
    this.notifyDeadLetters = this.configureNotifyDelivery(notify, config);
    // The connect path has its own concurrency: a burst elsewhere in the account (notify's jobs)
    // cannot throttle users out (AWS Lambda developer guide, "Configuring reserved concurrency").
    const connect = make('connect', {}, { reserved: config.connectReservedConcurrency });
    const disconnect = make('disconnect');
    const defaultHandler = make('default');
    const authorizer = make('authorizer', {}, { reserved: config.connectReservedConcurrency });
    const publish = props.publishRoute === false ? undefined : make('publish');
    const jobs =
      props.jobsRoute === true ? make('jobs', { NOTIFY_FUNCTION_NAME: notify.fn.functionName }) : undefined;
    this.functions = {
      connect,
      disconnect,
      default: defaultHandler,
      notify,
      ...(jobs === undefined ? {} : { jobs }),
      authorizer,
      ...(publish === undefined ? {} : { publish }),
    };

    this.webSocket = new NotificationsWebSocketApi(this, 'WebSocket', {
      stageName: config.stageName,
      throttleRateLimit: config.throttleRateLimit,
      throttleBurstLimit: config.throttleBurstLimit,
      jobsThrottleRateLimit: config.jobsThrottleRateLimit,
      jobsThrottleBurstLimit: config.jobsThrottleBurstLimit,
      logRetentionDays: config.logRetentionDays,
      retainLogs: config.retainData,
      accountLogRole: config.apiGatewayLogRole,
      customDomain: props.customDomain,
      handlers: {
        connect: connect.fn,
        disconnect: disconnect.fn,
        default: defaultHandler.fn,
        authorizer: authorizer.fn,
        jobs: jobs?.fn,
        publish: publish?.fn,
      },
    });
    const posting = [defaultHandler, notify, ...(publish === undefined ? [] : [publish])];
    for (const h of posting)
      h.fn.addEnvironment('WEBSOCKET_MANAGEMENT_ENDPOINT', this.webSocket.managementEndpoint);

    // --- least privilege, through grants only -------------------------------------------------
    this.connections.table.grantWriteData(connect.fn);
    this.connections.table.grantWriteData(disconnect.fn);
    // $default: reads its own row when the authorizer context is missing, deletes it on a 410,
    // reads the user's replay log, and answers through the management API.
    this.connections.table.grantReadWriteData(defaultHandler.fn);
    this.notifications.table.grantReadData(defaultHandler.fn);
    this.webSocket.stage.grantManagementApiAccess(defaultHandler.fn);
    // notify and publish (the same publisher): claim and append to the log, query byUser, delete
    // stale rows, post.
    for (const h of [notify, ...(publish === undefined ? [] : [publish])]) {
      this.connections.table.grantReadWriteData(h.fn);
      this.notifications.table.grantReadWriteData(h.fn);
      this.webSocket.stage.grantManagementApiAccess(h.fn);
    }
    if (jobs !== undefined) notify.fn.grantInvoke(jobs.fn);
    this.acknowledgeGrantWildcards(posting);

    const alarms = new AlarmTopic(this, 'Alarms', { topic: props.alarmTopic, email: config.alarmEmail });
    this.alarmTopic = alarms.topic;
    alarms.watch(
      new cloudwatch.Alarm(this, 'NotifyDeadLettersAlarm', {
        alarmDescription:
          'A notify event was not delivered (retries exhausted or too old) and waits in the dead-letter queue: redrive it (docs/APIGW.md, "When notify cannot keep up")',
        metric: this.notifyDeadLetters.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    new ApiGwAlarms(this, 'Monitoring', {
      topic: alarms,
      stage: this.webSocket.stage,
      httpApi: this.webSocket.httpApi,
      functions: Object.fromEntries(Object.entries(this.functions).map(([name, h]) => [name, h.fn])),
      queuedFunctions: ['notify'],
      errorThreshold: config.errorAlarmThreshold,
      goneThreshold: config.goneAlarmThreshold,
      metricsNamespace: config.metricsNamespace,
      serviceName: config.serviceName,
      goneMetricName: config.goneMetricName,
    });
  }

  /**
   * How Lambda handles notify's accepted async events (AWS Lambda developer guide, "Configuring
   * error handling for asynchronous invocation"): a throttled event goes back to the function's
   * queue and is retried with backoff until its maximum age; a failed one gets up to
   * `notifyRetryAttempts` retries; what is left goes to an SQS dead-letter queue with its request
   * payload instead of being discarded without a trace. notify is idempotent per jobId, so a
   * redriven event never notifies twice.
   */
  private configureNotifyDelivery(notify: HandlerFunction, config: ApiGwWebSocketConfig): sqs.Queue {
    const deadLetters = new sqs.Queue(this, 'NotifyDeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledge(deadLetters, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          "This queue is itself the dead-letter (on-failure) destination of notify's async invocations.",
      },
    ]);
    notify.fn.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(deadLetters),
      maxEventAge: Duration.seconds(config.notifyMaxEventAgeSeconds),
      retryAttempts: config.notifyRetryAttempts,
    });
    return deadLetters;
  }

  /** `wss://` URL clients connect to (the custom domain's when set; `?token=` appended). */
  get url(): string {
    return this.webSocket.url;
  }

  /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`: what `createApiGwPublisher` posts through. */
  get managementEndpoint(): string {
    return this.webSocket.managementEndpoint;
  }

  /** `POST {publishUrl}` publishes (SigV4-signed, by a principal granted `grantPublish`). */
  get publishUrl(): string | undefined {
    const base = this.webSocket.httpUrl;
    return this.webSocket.publishRoute === undefined || base === undefined
      ? undefined
      : `${base}${PUBLISH_PATH}`;
  }

  /**
   * Lets `grantee` call `POST /v1/publish` (execute-api:Invoke on that route only). The route
   * accepts no one else: IAM auth refuses every unsigned or ungranted request before the Lambda runs.
   */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    const { httpApi, publishRoute } = this.webSocket;
    if (publishRoute === undefined || httpApi === undefined)
      throw new InfraConfigError(
        `${this.node.path}: grantPublish needs the publish route (publishRoute is false)`,
      );
    // Not `publishRoute.grantInvoke`: it grants every stage (`/*/POST/v1/publish`), a wildcard
    // cdk-nag reports on your role; the API has one stage, so the grant names it.
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: [httpApi.arnForExecuteApi('POST', PUBLISH_PATH, HTTP_STAGE_NAME)],
    });
  }

  /**
   * The wildcards the grants above produce, each named exactly: a new wildcard elsewhere still
   * fails cdk-nag.
   */
  private acknowledgeGrantWildcards(posting: HandlerFunction[]): void {
    const connectionsIndexes = `AwsSolutions-IAM5[Resource::${nagAttribute(this.connections.table.node.defaultChild as CfnElement)}/index/*]`;
    const withTableGrants = [this.functions.connect, this.functions.disconnect, ...posting];
    for (const h of withTableGrants) {
      if (h === undefined) continue;
      acknowledge(h.fn, [
        {
          id: connectionsIndexes,
          reason:
            'Table grants cover the table and its indexes; the only index is byUser, which notify and publish query (the others are write-only on the table).',
        },
      ]);
    }
    const api = nagRef(this.webSocket.api.node.defaultChild as CfnElement);
    const connectionsArn = `arn:<AWS::Partition>:execute-api:${nagPseudo(this, 'region')}:${nagPseudo(this, 'account')}:${api}/${this.config.stageName}/*/@connections/*`;
    for (const h of posting) {
      acknowledge(h.fn, [
        {
          id: `AwsSolutions-IAM5[Resource::${connectionsArn}]`,
          reason:
            'grantManagementApiAccess: connection ids exist only at run time; the grant is limited to the @connections resource of this API and stage.',
        },
      ]);
    }
    const { jobs, notify } = this.functions;
    if (jobs !== undefined && notify !== undefined) {
      acknowledge(jobs.fn, [
        {
          id: `AwsSolutions-IAM5[Resource::${nagAttribute(notify.fn.node.defaultChild as CfnElement)}:*]`,
          reason:
            'grantInvoke on notify also covers its versions and aliases (the `:*` suffix); no other function.',
        },
      ]);
    }
  }
}
