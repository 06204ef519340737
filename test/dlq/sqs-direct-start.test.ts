import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { redriveSqsDeadLetters } from '../../functions/shared/aws/sqs-dead-letters.ts';

const sqs = mockClient(SQSClient);
const eventBridge = mockClient(EventBridgeClient);
const stepFunctions = mockClient(SFNClient);
afterEach(() => {
  sqs.reset();
  eventBridge.reset();
  stepFunctions.reset();
});

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/aurora-imports-emr-trigger-dlq';
const ORCHESTRATOR = 'arn:aws:states:eu-west-1:123456789012:stateMachine:orchestrateAuroraImports';

function emrDeadLetter(n: number): Message {
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    MessageId: `m-${n}`,
    ReceiptHandle: `rh-${n}`,
    Body: JSON.stringify({
      version: '0',
      id: `event-${n}`,
      'detail-type': 'EMR Step Status Change',
      source: 'aws.emr',
      account: '123456789012',
      time: '2026-11-27T11:07:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { stepId: `s-${n}`, name: 'hourly-aggregations', state: 'COMPLETED' },
    }),
    MessageAttributes: {
      ERROR_CODE: attribute('Throttling'),
      RULE_ARN: attribute('arn:aws:events:eu-west-1:123456789012:rule/aurora-imports-emr-step-completed'),
      TARGET_ARN: attribute(ORCHESTRATOR),
    },
  };
}

describe('redrive of EMR events (PutEvents refuses aws.* sources)', () => {
  it('starts the state machine target with the original event, under a name derived from the event id, then deletes', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [emrDeadLetter(1), emrDeadLetter(2), emrDeadLetter(3)] })
      .resolves({ Messages: [] });
    sqs.on(DeleteMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((entry) => ({ Id: entry.Id })),
    }));
    stepFunctions
      .on(StartExecutionCommand, { name: 'redrive-event-1' })
      .resolves({ executionArn: `${ORCHESTRATOR.replace(':stateMachine:', ':execution:')}:redrive-event-1` })
      .on(StartExecutionCommand, { name: 'redrive-event-2' })
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }))
      .on(StartExecutionCommand, { name: 'redrive-event-3' })
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const report = await redriveSqsDeadLetters({
      sqs: new SQSClient({}),
      eventBridge: new EventBridgeClient({}),
      stepFunctions: new SFNClient({}),
      queueUrl: QUEUE,
    });

    const starts = stepFunctions.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
    expect(starts).toHaveLength(3);
    expect(starts[0]).toMatchObject({ stateMachineArn: ORCHESTRATOR, name: 'redrive-event-1' });
    expect(JSON.parse(starts[0]!.input!)).toMatchObject({
      id: 'event-1',
      source: 'aws.emr',
      detail: { stepId: 's-1' },
    });
    expect(eventBridge.commandCalls(PutEventsCommand)).toEqual([]);
    // Started now, or by an earlier redrive: both may go; the throttled one stays for the next redrive.
    expect(report.redriven.map((item) => item.messageId)).toEqual(['m-1', 'm-2']);
    expect(report.redriven[0]!.eventBusName).toBe(ORCHESTRATOR);
    expect(report.failed).toEqual([
      { messageId: 'm-3', eventId: 'event-3', errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' },
    ]);
    const deleted = sqs
      .commandCalls(DeleteMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries!.map((e) => e.ReceiptHandle));
    expect(deleted.sort()).toEqual(['rh-1', 'rh-2']);
  });
});
