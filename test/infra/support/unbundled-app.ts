import { App, type AppProps } from 'aws-cdk-lib';

/**
 * A CDK App that skips asset bundling (context `aws:cdk:bundling-stacks: []`, what
 * `cdk synth --exclusively` with no stack does): the API Gateway handlers get a placeholder asset
 * instead of an esbuild bundle each, about 6 s of CPU per API Gateway stack. For tests that read
 * templates only; test/infra/lib/apigw-websocket-stack.test.ts and the user-app suites check the
 * bundles themselves.
 */
export function unbundledApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...props.context, 'aws:cdk:bundling-stacks': [] } });
}
