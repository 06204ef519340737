import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A standard SQS queue used as a dead-letter queue: encrypted with SQS-managed keys (EventBridge and Scheduler can
 * deliver to it without a key policy), TLS-only, messages kept the 14-day maximum for inspection and redrive.
 */
export function createDeadLetterQueue(scope: Construct, id: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself a dead-letter queue; its depth is alarmed instead.',
  });
  return queue;
}
