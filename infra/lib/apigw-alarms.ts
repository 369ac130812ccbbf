import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AlarmTopic } from './alarm-topic.js';

export interface ApiGwAlarmsProps {
  topic: AlarmTopic;
  stage: apigwv2.WebSocketStage;
  /** @default undefined (no HTTP API: no 5xx alarm for it) */
  httpApi?: apigwv2.HttpApi | undefined;
  functions: Record<string, lambda.IFunction>;
  /**
   * Functions whose throttles are expected and harmless: invoked asynchronously under a reserved
   * ceiling, Lambda keeps their throttled events and retries them (their losses alarm through the
   * dead-letter queue instead). @default []
   */
  queuedFunctions?: string[];
  errorThreshold: number;
  goneThreshold: number;
  metricsNamespace: string;
  serviceName: string;
  goneMetricName: string;
}

const PERIOD = Duration.minutes(5);

/** Sum of one metric across several functions (CloudWatch math allows 10 metrics per alarm). */
function sumAcross(
  functions: Record<string, lambda.IFunction>,
  metric: (fn: lambda.IFunction) => cloudwatch.Metric,
  label: string,
): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(
    Object.entries(functions).map(([name, fn]) => [`m_${name.toLowerCase()}`, metric(fn)]),
  );
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics).join(' + '),
    usingMetrics,
    label,
    period: PERIOD,
  });
}

/**
 * The alarms of the Lambda variant: server-side errors at both APIs, function errors and
 * throttles, and the rate of 410 Gone answers (stale connections) from the management API.
 */
export class ApiGwAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ApiGwAlarmsProps) {
    super(scope, id);
    const common = {
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    };
    const sum = { statistic: 'Sum', period: PERIOD };
    this.alarms = [
      new cloudwatch.Alarm(this, 'WebSocket5xx', {
        ...common,
        alarmDescription: 'WebSocket API: integration or execution errors (the 5xx of a WebSocket API)',
        metric: new cloudwatch.MathExpression({
          expression: 'integration + execution',
          usingMetrics: {
            integration: props.stage.metric('IntegrationError', sum),
            execution: props.stage.metric('ExecutionError', sum),
          },
          period: PERIOD,
        }),
        threshold: props.errorThreshold,
      }),
      ...(props.httpApi === undefined
        ? []
        : [
            new cloudwatch.Alarm(this, 'JobsApi5xx', {
              ...common,
              alarmDescription: 'HTTP API (POST /v1/publish, POST /jobs/sync) answers 5xx',
              metric: props.httpApi.metricServerError(sum),
              threshold: props.errorThreshold,
            }),
          ]),
      new cloudwatch.Alarm(this, 'FunctionErrors', {
        ...common,
        alarmDescription: 'Lambda handlers fail (uncaught errors, timeouts)',
        metric: sumAcross(props.functions, (fn) => fn.metricErrors(sum), 'Errors'),
        threshold: props.errorThreshold,
      }),
      new cloudwatch.Alarm(this, 'FunctionThrottles', {
        ...common,
        alarmDescription: 'Lambda handlers are throttled (account or reserved concurrency exhausted)',
        metric: sumAcross(
          Object.fromEntries(
            Object.entries(props.functions).filter(([name]) => !(props.queuedFunctions ?? []).includes(name)),
          ),
          (fn) => fn.metricThrottles(sum),
          'Throttles',
        ),
        threshold: 1,
      }),
      new cloudwatch.Alarm(this, 'StaleConnections', {
        ...common,
        alarmDescription:
          'Many 410 Gone answers from the management API: $disconnect is being missed or clients vanish en masse',
        metric: new cloudwatch.Metric({
          namespace: props.metricsNamespace,
          metricName: props.goneMetricName,
          dimensionsMap: { service: props.serviceName },
          ...sum,
        }),
        threshold: props.goneThreshold,
      }),
    ];
    for (const alarm of this.alarms) props.topic.watch(alarm);
  }
}
