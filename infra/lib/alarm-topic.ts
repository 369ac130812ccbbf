import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { acknowledge } from './nag.js';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** An existing topic (yours, shared by your other alarms). @default a new topic */
  topic?: sns.ITopic;
  /** Subscribed to a new topic. @default undefined (no subscriber; subscribe in the console or set `alarmEmail`) */
  email?: string;
}

/** Where every alarm of a stack goes. */
export class AlarmTopic extends Construct {
  readonly topic: sns.ITopic;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    if (props.topic !== undefined) {
      this.topic = props.topic;
      this.action = new actions.SnsAction(this.topic);
      return;
    }
    const topic = new sns.Topic(this, 'Resource', { enforceSSL: true });
    this.topic = topic;
    acknowledge(topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason:
          'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed aws/sns key, and alarm state changes carry no user data; a customer-managed key would add cost for no protection.',
      },
    ]);
    if (props.email !== undefined) topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.action = new actions.SnsAction(this.topic);
  }

  /** Sends the alarm's ALARM and OK transitions to the topic; returns the alarm for chaining. */
  watch(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}
