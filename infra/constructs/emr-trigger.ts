import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface EmrTriggerProps {
  readonly orchestrator: sfn.IStateMachine;
  /** Exact step names, or patterns with `*` (EventBridge wildcard matching). */
  readonly stepNames: readonly string[];
  /** Also start on EMR Serverless job runs reaching SUCCESS. */
  readonly emrServerless: boolean;
  readonly deadLetterQueue: sqs.IQueue;
}

/** EventBridge retries delivery to the orchestrator this long; older triggers are left to the catch-up sweep. */
export const EMR_TARGET_MAX_EVENT_AGE = Duration.hours(2);
export const EMR_TARGET_RETRY_ATTEMPTS = 185;

/**
 * Rules on the default bus (where AWS services publish) that start the orchestrator with the EMR event as input:
 * a COMPLETED step of one of the configured names, and optionally an EMR Serverless SUCCESS.
 */
export class EmrTrigger extends Construct {
  readonly stepRule: events.Rule;
  readonly serverlessRule?: events.Rule;

  constructor(scope: Construct, id: string, props: EmrTriggerProps) {
    super(scope, id);
    const target = new targets.SfnStateMachine(props.orchestrator, {
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: EMR_TARGET_RETRY_ATTEMPTS,
      maxEventAge: EMR_TARGET_MAX_EVENT_AGE,
    });
    this.stepRule = new events.Rule(this, 'StepCompletedRule', {
      description: 'aurora-imports: an EMR step producing aggregations completed -> orchestrateAuroraImports',
      eventPattern: emrStepCompletedPattern(props.stepNames),
      targets: [target],
    });
    if (props.emrServerless) {
      this.serverlessRule = new events.Rule(this, 'ServerlessJobSucceededRule', {
        description: 'aurora-imports: an EMR Serverless job run succeeded -> orchestrateAuroraImports',
        eventPattern: {
          source: ['aws.emr-serverless'],
          detailType: ['EMR Serverless Job Run State Change'],
          detail: { state: ['SUCCESS'] },
        },
        targets: [target],
      });
    }
  }
}

/** The event pattern of the EMR step rule; names with `*` become wildcard filters. */
export function emrStepCompletedPattern(stepNames: readonly string[]): events.EventPattern {
  return {
    source: ['aws.emr'],
    detailType: ['EMR Step Status Change'],
    detail: {
      state: ['COMPLETED'],
      name: [...new Set(stepNames)].map((name) => (name.includes('*') ? { wildcard: name } : name)),
    },
  };
}
