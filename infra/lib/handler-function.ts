import { createRequire } from 'node:module';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { InfraConfigError } from './config.js';
import { stackLogGroup } from './log-group.js';
import { acknowledge } from './nag.js';

/** The handler files of the Lambda variant, each exporting `handler`. */
export const HANDLER_NAMES = [
  'connect',
  'disconnect',
  'default',
  'notify',
  'jobs',
  'authorizer',
  'publish',
] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

const require = createRequire(import.meta.url);

/**
 * The handler's source in the installed `@syncbell/apigw` (its `./handlers/*` export), wherever
 * npm put it: never a path into a syncbell checkout.
 */
export function handlerEntry(name: HandlerName): string {
  const specifier = `@syncbell/apigw/handlers/${name}`;
  try {
    return require.resolve(specifier);
  } catch (cause) {
    throw new InfraConfigError(`cannot resolve ${specifier}: install @syncbell/apigw beside @syncbell/cdk`, {
      cause,
    });
  }
}

export interface HandlerFunctionProps {
  name: HandlerName;
  memoryMiB: number;
  /** @default 'arm64' */
  architecture?: 'arm64' | 'x86_64';
  timeoutSeconds: number;
  environment: Record<string, string>;
  logRetentionDays: number;
  /** Keep the log group when the stack is deleted. */
  retainLogs: boolean;
  /** Reserved concurrency: the function's guaranteed share and its ceiling. @default undefined (unreserved) */
  reservedConcurrency?: number;
  /** @default CDK's: the nearest lock file above the working directory */
  depsLockFilePath?: string;
  /** @default CDK's: the lock file's directory (the handler must be inside it) */
  projectRoot?: string;
}

/**
 * One handler of `@syncbell/apigw` as a Lambda: Node 22, arm64 unless told (about 20% cheaper per GB-s),
 * bundled by the local esbuild into one ESM file (never Docker), with its own log group.
 */
export class HandlerFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const logGroup = stackLogGroup(this, 'Logs', {
      retentionDays: props.logRetentionDays,
      retain: props.retainLogs,
    });
    this.fn = new nodejs.NodejsFunction(this, 'Resource', {
      entry: handlerEntry(props.name),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture === 'x86_64' ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB,
      reservedConcurrentExecutions: props.reservedConcurrency,
      timeout: Duration.seconds(props.timeoutSeconds),
      projectRoot: props.projectRoot,
      depsLockFilePath: props.depsLockFilePath,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        minify: true,
        logLevel: nodejs.LogLevel.WARNING,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // Bundled CommonJS dependencies still call require(); ESM has none unless we make one.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // The Node 22 runtime ships AWS SDK v3; bundling it would only slow cold starts.
        externalModules: ['@aws-sdk/*'],
      },
    });
    acknowledge(this.fn, [
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'The AWS-managed basic execution policy only allows writing this function its CloudWatch Logs; it is what CDK attaches to every function.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node 22 is the runtime syncbell targets and bundles for (esbuild target node22, the same as the ECS image); moving to a newer runtime is a deliberate, tested change.',
      },
    ]);
  }
}
