import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from './import-event-bus.ts';
import { createDeadLetterQueue } from './secure-queue.ts';

export interface ExampleSubscriberProps {
  readonly bus: events.IEventBus;
}

/**
 * How another service listens to imports: a rule on the import bus for Import Failed and Import Succeeded, into
 * its own SQS queue. Events the rule cannot deliver and messages the consumer keeps failing end in one DLQ.
 */
export class ExampleSubscriber extends Construct {
  static readonly DETAIL_TYPES = ['Import Failed', 'Import Succeeded'];
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ExampleSubscriberProps) {
    super(scope, id);
    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue');
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.minutes(1),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: 'Example subscriber: import outcomes into an SQS queue',
      eventPattern: { source: [EVENT_SOURCE], detailType: ExampleSubscriber.DETAIL_TYPES },
      targets: [
        new targets.SqsQueue(this.queue, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
  }
}
