import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiGwWebSocketStack } from './apigw-websocket-stack.js';
import { APIGW_CONTEXT_KEY, ECS_CONTEXT_KEY } from './config.js';
import { EcsSocketIoStack } from './ecs-socketio-stack.js';

export const ECS_STACK_NAME = 'SyncbellEcsSocketIo';
export const APIGW_STACK_NAME = 'SyncbellApiGwWebSocket';

export interface SyncbellApp {
  app: App;
  ecs: EcsSocketIoStack;
  apigw: ApiGwWebSocketStack;
}

/**
 * The CDK app: both stacks, knobs from context (`syncbell:ecs`, `syncbell:apigw`), cdk-nag's
 * AwsSolutions rules on everything as a validation plugin: an unacknowledged finding stops
 * `cdk synth` with a report.
 * Account and region come from the CLI's profile (`CDK_DEFAULT_*`). Without credentials the CDK CLI
 * still sets `CDK_DEFAULT_REGION` to its fallback, us-east-1, which would pin that region into ARNs
 * and asset paths of a template meant for anywhere: with no account resolved, the stacks stay
 * environment-agnostic (`AWS::Region` / `AWS::AccountId` in the template), which is enough to
 * synthesize offline.
 */
export function createApp(props: AppProps = {}): SyncbellApp {
  const app = new App(props);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const env = account === undefined ? {} : { account, region: process.env.CDK_DEFAULT_REGION };
  const ecs = new EcsSocketIoStack(app, ECS_STACK_NAME, {
    env,
    options: app.node.tryGetContext(ECS_CONTEXT_KEY),
  });
  const apigw = new ApiGwWebSocketStack(app, APIGW_STACK_NAME, {
    env,
    options: app.node.tryGetContext(APIGW_CONTEXT_KEY),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, ecs, apigw };
}
