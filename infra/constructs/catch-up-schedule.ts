import { type CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface CatchUpScheduleProps {
  readonly catchUpFunction: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
}

/** Minute past each hour the sweep runs: late enough for the previous hour's EMR steps to have triggered. */
export const CATCH_UP_MINUTE = '20';

/** An EventBridge Scheduler schedule that runs the catch-up sweep every hour. */
export class CatchUpSchedule extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: CatchUpScheduleProps) {
    super(scope, id);
    // Own role so the trust is limited to schedules of this account; LambdaInvoke adds the invoke permission.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'aurora-imports catch-up schedule: invoke the catch-up function',
    });
    const functionId = Stack.of(this).getLogicalId(props.catchUpFunction.node.defaultChild as CfnResource);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        'Added by the LambdaInvoke schedule target: invoke on the catch-up function and its versions/aliases, nothing else.',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'aurora-imports: hourly catch-up sweep (starts the orchestrator for hours nothing imported)',
      schedule: scheduler.ScheduleExpression.cron({ minute: CATCH_UP_MINUTE, hour: '*' }),
      target: new schedulerTargets.LambdaInvoke(props.catchUpFunction, {
        role,
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        input: scheduler.ScheduleTargetInput.fromObject({
          source: 'aurora-imports.catch-up',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
      }),
    });
  }
}
