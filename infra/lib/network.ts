import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { stackLogGroup } from './log-group.js';

export interface NetworkProps {
  maxAzs: number;
  natGateways: number;
  logRetentionDays: number;
  retainLogs: boolean;
}

/**
 * The VPC of the ECS variant: public subnets for the ALB and NAT, private subnets with egress for
 * the tasks (image pulls, Secrets Manager, CloudWatch Logs), isolated subnets for Redis.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const flowLogGroup = stackLogGroup(this, 'FlowLogs', {
      retentionDays: props.logRetentionDays,
      retain: props.retainLogs,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 26 },
      ],
      // Every resource gets its own security group; leaving the default group alone avoids the
      // custom-resource Lambda that restricting it would add.
      restrictDefaultSecurityGroup: false,
      flowLogs: {
        // Rejected traffic only: accepted flows of many long-lived WebSockets are mostly noise and
        // billed per GB ingested; rejects are what a security review asks for.
        rejected: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });
  }
}
