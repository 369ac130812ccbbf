import { Annotations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { stackLogGroup } from './log-group.js';
import { acknowledge } from './nag.js';

export interface WebSocketApiProps {
  stageName: string;
  throttleRateLimit: number;
  throttleBurstLimit: number;
  jobsThrottleRateLimit: number;
  jobsThrottleBurstLimit: number;
  logRetentionDays: number;
  retainLogs: boolean;
  /** The account-level role WebSocket access logs need: there already, created here, or no access logs. */
  accountLogRole: 'existing' | 'create' | 'none';
  /** Clients connect to `wss://{domainName}` instead of the execute-api host. */
  customDomain?: WebSocketCustomDomain;
  handlers: {
    connect: lambda.IFunction;
    disconnect: lambda.IFunction;
    default: lambda.IFunction;
    authorizer: lambda.IFunction;
    /** `POST /jobs/sync` (the demo job). */
    jobs?: lambda.IFunction;
    /** `POST /v1/publish` behind IAM auth. */
    publish?: lambda.IFunction;
  };
}

/** A custom domain for the WebSocket API (a regional endpoint; the certificate must be in the stack's region). */
export interface WebSocketCustomDomain {
  /** e.g. `notifications.example.com` */
  domainName: string;
  /** An ACM certificate covering `domainName`, in the stack's region. */
  certificate: acm.ICertificate;
  /**
   * A public hosted zone to add the alias record for `domainName` to.
   * @default undefined (point your DNS at `regionalDomainName` yourself)
   */
  hostedZone?: route53.IHostedZone;
}

/** Path of the HTTP publish route (the same as serverless.yml's). */
export const PUBLISH_PATH = '/v1/publish';
/** The HTTP API's one stage (its URL has no stage segment). */
export const HTTP_STAGE_NAME = '$default';

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
 * `$default`), its throttled stage with access logs and optional custom domain, and the HTTP API
 * for `POST /v1/publish` (IAM) and the demo's `POST /jobs/sync`.
 */
export class NotificationsWebSocketApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  /** The HTTP API of `POST /v1/publish` and `POST /jobs/sync`; undefined with neither route. */
  readonly httpApi: apigwv2.HttpApi | undefined;
  /** `POST /v1/publish`, IAM-authorized; nobody may invoke it until granted (`grantInvoke`). */
  readonly publishRoute: apigwv2.HttpRoute | undefined;
  readonly domainName: apigwv2.DomainName | undefined;
  private readonly customDomainName: string | undefined;
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
    // No authorizer cache setting: API Gateway documents AuthorizerResultTtlInSeconds for HTTP API
    // Lambda authorizers only and answers "AuthorizerResultTtlInSeconds cannot be set for WEBSOCKET
    // protocol Apis" (even 0) on a WebSocket API (AWS API Gateway V2 API reference, 'Authorizers';
    // hashicorp/terraform-provider-aws #15232, sst #905). $connect runs the authorizer once per
    // connection anyway.
    acknowledge(this.api, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'WebSocket APIs authorize only $connect (done here by the token authorizer); $disconnect and $default run on an already-authorized connection, and $default takes the user from the authorizer context, never from the frame.',
      },
    ]);

    this.customDomainName = props.customDomain?.domainName;
    if (props.customDomain !== undefined) {
      this.domainName = new apigwv2.DomainName(this, 'Domain', {
        domainName: props.customDomain.domainName,
        certificate: props.customDomain.certificate,
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      if (props.customDomain.hostedZone !== undefined) {
        new route53.ARecord(this, 'DomainAlias', {
          zone: props.customDomain.hostedZone,
          recordName: props.customDomain.domainName,
          target: route53.RecordTarget.fromAlias(
            new route53Targets.ApiGatewayv2DomainProperties(
              this.domainName.regionalDomainName,
              this.domainName.regionalHostedZoneId,
            ),
          ),
        });
      }
    }

    const accountRole = props.accountLogRole === 'create' ? this.createAccountLogRole() : undefined;
    const logProps = { retentionDays: props.logRetentionDays, retain: props.retainLogs };
    const accessLogs =
      props.accountLogRole === 'none' ? undefined : stackLogGroup(this, 'AccessLogs', logProps);
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      accessLogSettings:
        accessLogs === undefined
          ? undefined
          : {
              destination: new apigwv2.LogGroupLogDestination(accessLogs),
              format: apigateway.AccessLogFormat.custom(WEBSOCKET_ACCESS_LOG_FORMAT),
            },
      domainMapping: this.domainName === undefined ? undefined : { domainName: this.domainName },
    });
    if (accountRole !== undefined) this.stage.node.addDependency(accountRole);
    if (accessLogs === undefined) {
      Annotations.of(this).addWarningV2(
        'syncbell:webSocketAccessLogsOff',
        "The WebSocket stage writes no access logs (apiGatewayLogRole 'none'): they need API Gateway's account-level CloudWatch Logs role. Run `npx syncbell preflight`: it reads the account setting and says whether to set 'existing' or 'create'.",
      );
      acknowledge(this.stage, [
        {
          id: 'AwsSolutions-APIG1',
          reason:
            "apiGatewayLogRole 'none': WebSocket access logs need the account-level API Gateway CloudWatch role, which a fresh account lacks (the deploy would fail); the handlers' own logs still record every request. `syncbell preflight` tells which setting turns them on.",
        },
      ]);
    }
    this.managementEndpoint = this.stage.callbackUrl;

    this.httpApi =
      handlers.jobs === undefined && handlers.publish === undefined
        ? undefined
        : this.createHttpApi(props, logProps);
    this.publishRoute = undefined;
    if (this.httpApi !== undefined && handlers.publish !== undefined) {
      // IAM (SigV4) auth: API Gateway refuses an unsigned or unauthorized caller before the Lambda
      // runs, and nothing is granted here; whoever publishes is granted execute-api:Invoke on it.
      [this.publishRoute] = this.httpApi.addRoutes({
        path: PUBLISH_PATH,
        methods: [apigwv2.HttpMethod.POST],
        integration: new integrations.HttpLambdaIntegration('PublishIntegration', handlers.publish),
        authorizer: new authorizers.HttpIamAuthorizer(),
      });
    }
    if (this.httpApi !== undefined && handlers.jobs !== undefined) {
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
  }

  private createHttpApi(
    props: WebSocketApiProps,
    logProps: { retentionDays: number; retain: boolean },
  ): apigwv2.HttpApi {
    const httpAccessLogs = stackLogGroup(this, 'JobsAccessLogs', logProps);
    const httpApi = new apigwv2.HttpApi(this, 'JobsApi', {
      description: 'syncbell HTTP routes: POST /v1/publish (IAM) and the demo POST /jobs/sync',
      createDefaultStage: false,
    });
    httpApi.addStage('DefaultStage', {
      stageName: HTTP_STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: props.jobsThrottleRateLimit, burstLimit: props.jobsThrottleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(httpAccessLogs),
        format: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    return httpApi;
  }

  /** `$default` stage URL of the HTTP API (`POST {url}/jobs/sync`, `POST {url}/v1/publish`). */
  get httpUrl(): string | undefined {
    return this.httpApi?.apiEndpoint;
  }

  /** `wss://` URL clients connect to (`?token=` appended): the custom domain's when there is one. */
  get url(): string {
    return this.customDomainName === undefined ? this.stage.url : `wss://${this.customDomainName}`;
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
