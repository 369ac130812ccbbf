import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { stackLogGroup } from './log-group.js';
import { acknowledge } from './nag.js';

export interface WebSocketApiProps {
  stageName: string;
  throttleRateLimit: number;
  throttleBurstLimit: number;
  jobsThrottleRateLimit: number;
  jobsThrottleBurstLimit: number;
  authorizerCacheTtlSeconds: number;
  logRetentionDays: number;
  retainLogs: boolean;
  /** Create the account-level role API Gateway needs to write WebSocket access logs. */
  manageAccountLogRole: boolean;
  handlers: {
    connect: lambda.IFunction;
    disconnect: lambda.IFunction;
    default: lambda.IFunction;
    authorizer: lambda.IFunction;
    jobs: lambda.IFunction;
  };
}

/** The token travels in the query string: browsers cannot set headers on a WebSocket upgrade. */
export const TOKEN_IDENTITY_SOURCE = 'route.request.querystring.token';

const WEBSOCKET_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  connectionId: '$context.connectionId',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  status: '$context.status',
  error: '$context.error.message',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  sourceIp: '$context.identity.sourceIp',
  requestTimeEpoch: '$context.requestTimeEpoch',
});

/**
 * The WebSocket API (`$connect` behind a REQUEST Lambda authorizer, `$disconnect`, `$default`;
 * API Gateway routes on `$request.body.action` but every frame of the protocol goes to
 * `$default`), its throttled stage with access logs, and the HTTP API for `POST /jobs/sync`.
 */
export class NotificationsWebSocketApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly httpApi: apigwv2.HttpApi;
  /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`: the management API base. */
  readonly managementEndpoint: string;

  constructor(scope: Construct, id: string, props: WebSocketApiProps) {
    super(scope, id);
    const { handlers } = props;

    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      description: 'syncbell notifications (API Gateway WebSocket variant)',
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration: new integrations.WebSocketLambdaIntegration('ConnectIntegration', handlers.connect),
        authorizer: new authorizers.WebSocketLambdaAuthorizer('TokenAuthorizer', handlers.authorizer, {
          identitySource: [TOKEN_IDENTITY_SOURCE],
        }),
      },
      disconnectRouteOptions: {
        integration: new integrations.WebSocketLambdaIntegration(
          'DisconnectIntegration',
          handlers.disconnect,
        ),
      },
      defaultRouteOptions: {
        integration: new integrations.WebSocketLambdaIntegration('DefaultIntegration', handlers.default),
      },
    });
    this.applyAuthorizerCacheTtl(props.authorizerCacheTtlSeconds);
    acknowledge(this.api, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'WebSocket APIs authorize only $connect (done here by the token authorizer); $disconnect and $default run on an already-authorized connection, and $default takes the user from the authorizer context, never from the frame.',
      },
    ]);

    const accountRole = props.manageAccountLogRole ? this.createAccountLogRole() : undefined;
    const logProps = { retentionDays: props.logRetentionDays, retain: props.retainLogs };
    const accessLogs = stackLogGroup(this, 'AccessLogs', logProps);
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigateway.AccessLogFormat.custom(WEBSOCKET_ACCESS_LOG_FORMAT),
      },
    });
    if (accountRole !== undefined) this.stage.node.addDependency(accountRole);
    this.managementEndpoint = this.stage.callbackUrl;

    const jobsAccessLogs = stackLogGroup(this, 'JobsAccessLogs', logProps);
    this.httpApi = new apigwv2.HttpApi(this, 'JobsApi', {
      description: 'syncbell POST /jobs/sync (starts the demo sync job)',
      createDefaultStage: false,
    });
    this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.jobsThrottleRateLimit, burstLimit: props.jobsThrottleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(jobsAccessLogs),
        format: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const [jobsRoute] = this.httpApi.addRoutes({
      path: '/jobs/sync',
      methods: [apigwv2.HttpMethod.POST],
      integration: new integrations.HttpLambdaIntegration('JobsIntegration', handlers.jobs),
    });
    if (jobsRoute !== undefined) {
      acknowledge(jobsRoute, [
        {
          id: 'AwsSolutions-APIG4',
          reason:
            "The jobs handler verifies the HS256 Bearer token itself (@syncbell/server); HTTP API's JWT authorizer accepts only OIDC issuers with RS256 keys.",
        },
      ]);
    }
  }

  /** `$default` stage URL of the HTTP API (`POST {url}jobs/sync`). */
  get jobsUrl(): string {
    return this.httpApi.apiEndpoint;
  }

  /** `wss://` URL clients connect to (`?token=` appended). */
  get url(): string {
    return this.stage.url;
  }

  private applyAuthorizerCacheTtl(ttlSeconds: number): void {
    const authorizer = this.api.node
      .findAll()
      .find((c): c is apigwv2.CfnAuthorizer => c instanceof apigwv2.CfnAuthorizer);
    // The L2 authorizer has no cache setting; a REQUEST authorizer on $connect evaluates once per
    // connection anyway, so caching only matters when clients reconnect with the same token.
    authorizer?.addPropertyOverride('AuthorizerResultTtlInSeconds', ttlSeconds);
  }

  /**
   * WebSocket (like REST) access logging needs an account-wide role set in API Gateway's account
   * settings. This is one per account and region: create it here only if nothing else manages it.
   */
  private createAccountLogRole(): apigateway.CfnAccount {
    const role = new iam.Role(this, 'ApiGatewayLogsRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      ],
    });
    acknowledge(role, [
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'The AWS-managed policy API Gateway documents for its account-level logging role.',
      },
    ]);
    return new apigateway.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
  }
}
