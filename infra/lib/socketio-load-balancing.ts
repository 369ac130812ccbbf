import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import type * as applicationautoscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { AlarmTopic } from './alarm-topic.js';
import type { EcsSocketIoConfig } from './config.js';
import { acknowledge } from './nag.js';
import { dataRemovalPolicy } from './removal.js';
import type { SyncbellListenerRule } from './socketio-props.js';

export interface SocketIoLoadBalancingProps {
  config: EcsSocketIoConfig;
  vpc: ec2.IVpc;
  cluster: ecs.ICluster;
  /** The server service: registered in the target group, scaled, its task told its target group. */
  service: ecs.FargateService;
  /** The server container's name in the service's task definition. */
  containerName: string;
  /** Join this listener with a rule. @default a new ALB with its own listener */
  listener?: SyncbellListenerRule | undefined;
  /** Subnets of a new ALB. @default public subnets */
  loadBalancerSubnets?: ec2.SubnetSelection | undefined;
  alarms: AlarmTopic;
}

/**
 * Load balancing and scaling of the server service of `SyncbellSocketIoService`: a new ALB (or a
 * rule on your listener), the target group with the drain at deregistration, autoscaling on CPU and
 * connections per task, and the target alarms.
 *
 * A helper, not a sub-construct, for the reason `SocketIoWorker` gives: its resources stay in the
 * service's scope, so the ALB, its listener and the target group keep the logical IDs of stacks
 * deployed before the split.
 */
export class SocketIoLoadBalancing {
  /** The ALB created; undefined when joining `listener`. */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer | undefined;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** What browsers connect to (`listener.url` when joining a listener). */
  readonly url: string | undefined;

  constructor(
    private readonly scope: Construct,
    private readonly props: SocketIoLoadBalancingProps,
  ) {
    const { config, service } = props;
    const deregistrationDelaySeconds =
      config.deregistrationDelaySeconds ?? Math.ceil(config.drainTimeoutMs / 1000);
    const targetGroupProps = {
      port: config.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [
        service.loadBalancerTarget({
          containerName: props.containerName,
          containerPort: config.containerPort,
        }),
      ],
      healthCheck: {
        path: config.healthCheckPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      deregistrationDelay: Duration.seconds(deregistrationDelaySeconds),
      // Long-polling requests must return to the task that holds the Engine.IO session (else
      // "Session ID unknown"); WebSocket-only needs no stickiness, and without it scaling spreads load.
      stickinessCookieDuration: config.allowPolling ? Duration.seconds(config.stickinessSeconds) : undefined,
    } satisfies elbv2.AddApplicationTargetsProps;
    if (props.listener === undefined) {
      const { loadBalancer, listener } = this.createLoadBalancer();
      this.loadBalancer = loadBalancer;
      this.targetGroup = listener.addTargets('Server', targetGroupProps);
      this.url = this.publicUrl(loadBalancer);
    } else {
      this.loadBalancer = undefined;
      this.targetGroup = new elbv2.ApplicationTargetGroup(scope, 'ServerTargets', {
        vpc: props.vpc,
        ...targetGroupProps,
      });
      new elbv2.ApplicationListenerRule(scope, 'ListenerRule', {
        listener: props.listener.listener,
        priority: props.listener.priority,
        conditions: props.listener.conditions ?? [elbv2.ListenerCondition.pathPatterns(['/socket.io/*'])],
        targetGroups: [this.targetGroup],
      });
      this.url = props.listener.url;
    }

    // The drain at deregistration: ECS sends SIGTERM only after the deregistration delay, when the
    // ALB has cut every connection still open (ECS developer guide, "Optimize load balancer
    // connection draining parameters"), so the server asks ELB whether its own target is
    // `draining` and moves its clients while they are still connected.
    const server = service.taskDefinition.findContainer(props.containerName);
    server?.addEnvironment('TARGET_GROUP_ARN', this.targetGroup.targetGroupArn);
    server?.addEnvironment('DEREGISTRATION_DELAY_MS', String(deregistrationDelaySeconds * 1000));
    service.taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }),
    );

    this.scale();
    this.alarm();
  }

  private createLoadBalancer(): {
    loadBalancer: elbv2.ApplicationLoadBalancer;
    listener: elbv2.ApplicationListener;
  } {
    const { scope } = this;
    const { config, vpc } = this.props;
    const albSecurityGroup = new ec2.SecurityGroup(scope, 'AlbSecurityGroup', {
      vpc,
      description: 'syncbell ALB: browsers in, Socket.io tasks out',
      allowAllOutbound: false,
    });
    albSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(config.ingressCidr),
      ec2.Port.tcp(config.certificateArn === undefined ? 80 : 443),
      'browsers (WebSocket upgrade)',
    );
    // With a certificate, port 80 only answers a redirect to https:// (below).
    if (config.certificateArn !== undefined)
      albSecurityGroup.addIngressRule(
        ec2.Peer.ipv4(config.ingressCidr),
        ec2.Port.tcp(80),
        'http:// redirected to https://',
      );
    acknowledge(albSecurityGroup, [
      {
        id: 'AwsSolutions-EC23',
        reason:
          'The ALB is the public endpoint browsers connect to; only the listener ports are open (443, and 80 to redirect, with a certificate), the CIDR is the ingressCidr knob.',
      },
    ]);

    const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'Alb', {
      vpc,
      internetFacing: true,
      securityGroup: albSecurityGroup,
      vpcSubnets: this.props.loadBalancerSubnets ?? { subnetType: ec2.SubnetType.PUBLIC },
      // Must outlast the Socket.io ping interval, or the ALB cuts idle sockets between pings.
      idleTimeout: Duration.seconds(config.idleTimeoutSeconds),
      dropInvalidHeaderFields: true,
    });
    this.logAccess(loadBalancer);

    if (config.certificateArn === undefined && !config.allowPlainHttp)
      Annotations.of(scope).addWarningV2(
        'syncbell:plainHttp',
        'The ALB serves plain http:// and ws:// (no certificateArn): a page served over HTTPS cannot open it (mixed content) and tokens cross the network in clear text. Set certificateArn (and domainName) for production, or allowPlainHttp: true to say a trial is meant.',
      );
    if (config.certificateArn !== undefined)
      // Port 80 answers 301 to https:// with the same host, path and query (Elastic Load Balancing
      // user guide, "Listeners for your Application Load Balancers": redirect actions).
      loadBalancer.addRedirect({
        sourcePort: 80,
        sourceProtocol: elbv2.ApplicationProtocol.HTTP,
        targetPort: 443,
        targetProtocol: elbv2.ApplicationProtocol.HTTPS,
      });
    const listener =
      config.certificateArn === undefined
        ? loadBalancer.addListener('Http', {
            port: 80,
            protocol: elbv2.ApplicationProtocol.HTTP,
            open: false,
          })
        : loadBalancer.addListener('Https', {
            port: 443,
            protocol: elbv2.ApplicationProtocol.HTTPS,
            certificates: [elbv2.ListenerCertificate.fromArn(config.certificateArn)],
            sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
            open: false,
          });
    return { loadBalancer, listener };
  }

  /**
   * Access logs to a new bucket. The bucket policy for ALB log delivery depends on the region
   * (older regions deliver from a per-region ELB account), so an environment-agnostic synth cannot
   * enable them.
   */
  private logAccess(loadBalancer: elbv2.ApplicationLoadBalancer): void {
    const { scope } = this;
    const { config } = this.props;
    const regionKnown = !Token.isUnresolved(Stack.of(scope).region);
    if (config.albAccessLogs && !regionKnown) {
      Annotations.of(scope).addWarningV2(
        'syncbell:albAccessLogsNeedRegion',
        'ALB access logs are off in this synth: the stack has no region (set CDK_DEFAULT_REGION or an AWS profile).',
      );
    }
    if (config.albAccessLogs && regionKnown) {
      const accessLogs = new s3.Bucket(scope, 'AccessLogs', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        removalPolicy: dataRemovalPolicy(config.retainData),
        lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
      });
      acknowledge(accessLogs, [
        {
          id: 'AwsSolutions-S1',
          reason:
            'This bucket is the access-log destination itself; logging it would need another bucket without end.',
        },
      ]);
      loadBalancer.logAccessLogs(accessLogs, 'alb');
    } else {
      acknowledge(loadBalancer, [
        {
          id: 'AwsSolutions-ELB2',
          reason:
            'Access logs are off: switched off through the albAccessLogs knob, or the synth has no region.',
        },
      ]);
    }
  }

  /**
   * `https://{domainName}` (with an alias record when a hosted zone is given), else the ALB's DNS
   * name: a certificate covers your domain, never `*.elb.amazonaws.com`.
   */
  private publicUrl(loadBalancer: elbv2.ApplicationLoadBalancer): string {
    const { config } = this.props;
    if (config.domainName === undefined)
      return `${config.certificateArn === undefined ? 'http' : 'https'}://${loadBalancer.loadBalancerDnsName}`;
    if (config.hostedZoneId !== undefined && config.hostedZoneName !== undefined) {
      new route53.ARecord(this.scope, 'DomainAlias', {
        zone: route53.HostedZone.fromHostedZoneAttributes(this.scope, 'Zone', {
          hostedZoneId: config.hostedZoneId,
          zoneName: config.hostedZoneName,
        }),
        recordName: config.domainName,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(loadBalancer)),
      });
    }
    return `https://${config.domainName}`;
  }

  /**
   * Autoscaling owns the server's task count, between `desiredCount` and `maxCount`, on CPU and,
   * with an ALB of its own, on connections per task.
   *
   * No `DesiredCount` in the template: it would be sent again by every stack update that touches
   * the service (a new image), which would drop a fleet scaled out to 8 back to the floor
   * mid-deploy and reconnect thousands of sockets at once (aws/aws-cdk#13130,
   * aws/containers-roadmap#493). Without it CloudFormation creates the service with one task and
   * omits the count on updates (AWS CloudFormation user guide, "AWS::ECS::Service", DesiredCount:
   * "For existing services, if a desired count is not specified, it is omitted from the
   * operation"); registering the scalable target then lifts the service into [min, max]
   * (Application Auto Scaling API reference, "RegisterScalableTarget"). A deletion override on the
   * service's own L1 rather than CDK's `@aws-cdk/aws-ecs:removeDefaultDesiredCount` flag: the
   * construct then behaves the same in a user's app whatever flags it sets.
   */
  private scale(): void {
    const { config, service } = this.props;
    (service.node.defaultChild as ecs.CfnService).addPropertyDeletionOverride('DesiredCount');
    const scaling = service.autoScaleTaskCount({
      minCapacity: config.desiredCount,
      maxCapacity: config.maxCount,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: config.cpuTargetPercent });
    if (this.loadBalancer !== undefined)
      this.scaleOnConnectionsPerTask(scaling, this.loadBalancer, config.connectionsPerTaskTarget);
  }

  /**
   * Target tracking on connections per task. The ALB has no per-target connection metric, so the
   * metric is math: ActiveConnectionCount (which counts both legs, client to ALB and ALB to task,
   * hence the halving) over Container Insights' RunningTaskCount. The L2 accepts only a plain
   * metric for target tracking, so the policy is made with a placeholder metric and the metric
   * specification is set on its L1. `ScalableTaskCount.scaleToTrackCustomMetric` returns nothing,
   * so the policy is made on the scalable target underneath (its child `Target`, where that method
   * puts it too: the same construct path, the same logical ID), which returns the policy itself.
   */
  private scaleOnConnectionsPerTask(
    scaling: ecs.ScalableTaskCount,
    loadBalancer: elbv2.ApplicationLoadBalancer,
    targetValue: number,
  ): void {
    const placeholder = loadBalancer.metrics.activeConnectionCount({
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
    const target = scaling.node.findChild('Target') as applicationautoscaling.ScalableTarget;
    const policy = target.scaleToTrackMetric('ConnectionsPerTask', {
      customMetric: placeholder,
      targetValue,
    });
    const cfnPolicy = policy.node.defaultChild as applicationautoscaling.CfnScalingPolicy;
    const path = 'TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification';
    for (const key of ['MetricName', 'Namespace', 'Dimensions', 'Statistic', 'Unit']) {
      cfnPolicy.addPropertyDeletionOverride(`${path}.${key}`);
    }
    cfnPolicy.addPropertyOverride(`${path}.Metrics`, [
      {
        Id: 'connections',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/ApplicationELB',
            MetricName: 'ActiveConnectionCount',
            Dimensions: [{ Name: 'LoadBalancer', Value: loadBalancer.loadBalancerFullName }],
          },
          Stat: 'Sum',
        },
      },
      {
        Id: 'tasks',
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'ECS/ContainerInsights',
            MetricName: 'RunningTaskCount',
            Dimensions: [
              { Name: 'ClusterName', Value: this.props.cluster.clusterName },
              { Name: 'ServiceName', Value: this.props.service.serviceName },
            ],
          },
          Stat: 'Average',
        },
      },
      {
        Id: 'perTask',
        Label: 'WebSocket connections per task',
        Expression: 'connections / 2 / tasks',
        ReturnData: true,
      },
    ]);
  }

  private alarm(): void {
    const { alarms } = this.props;
    alarms.watch(
      new cloudwatch.Alarm(this.scope, 'Target5xx', {
        alarmDescription: 'Socket.io tasks answer 5xx (handshake or /jobs/sync failures)',
        metric: this.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        threshold: 5,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    alarms.watch(
      new cloudwatch.Alarm(this.scope, 'UnhealthyTargets', {
        alarmDescription: 'A Socket.io task fails the ALB health check',
        metric: this.targetGroup.metrics.unhealthyHostCount({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
