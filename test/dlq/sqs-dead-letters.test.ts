import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  eventBusOfRuleArn,
  listSqsDeadLetters,
  redriveSqsDeadLetters,
} from '../../functions/shared/aws/sqs-dead-letters.ts';
import dlq from '../../local/cli/commands/dlq.ts';
import { captureIo } from '../support/capture-io.ts';

const sqs = mockClient(SQSClient);
const eventBridge = mockClient(EventBridgeClient);
afterEach(() => {
  sqs.reset();
  eventBridge.reset();
});

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/aurora-imports-emr-trigger-dlq';
const RULE = 'arn:aws:events:eu-west-1:123456789012:rule/aurora-imports-emr-step-completed';
const CUSTOM_RULE = 'arn:aws:events:eu-west-1:123456789012:rule/aurora-imports/import-failed-to-pager';
const NOW = new Date('2026-11-27T12:00:00Z');

function message(n: number, options: { rule?: string; body?: string; target?: string } = {}): Message {
  const event = {
    version: '0',
    id: `event-${n}`,
    'detail-type': 'EMR Step Status Change',
    source: 'aws.emr',
    account: '123456789012',
    time: '2026-11-27T11:07:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:elasticmapreduce:eu-west-1:123456789012:cluster/j-${n}`],
    detail: { stepId: `s-${n}`, name: 'hourly-aggregations', state: 'COMPLETED' },
  };
  const attribute = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    MessageId: `m-${n}`,
    ReceiptHandle: `rh-${n}`,
    Body: options.body ?? JSON.stringify(event),
    Attributes: { SentTimestamp: String(NOW.getTime() - 90 * 60_000), ApproximateReceiveCount: '1' },
    MessageAttributes: {
      ERROR_CODE: attribute('Throttling'),
      ERROR_MESSAGE: attribute('Rate exceeded'),
      RULE_ARN: attribute(options.rule ?? RULE),
      TARGET_ARN: attribute(
        options.target ?? 'arn:aws:states:eu-west-1:123456789012:stateMachine:orchestrateAuroraImports',
      ),
      RETRY_ATTEMPTS: attribute('185'),
      EXHAUSTED_RETRY_CONDITION: attribute('MaximumRetryAttemptsExhausted'),
    },
  };
}

describe('SQS dead letters', () => {
  it('lists without hiding messages (visibility timeout 0), deduped by message id', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message(1), message(2)] })
      .resolvesOnce({ Messages: [message(2), message(1)] });
    const letters = await listSqsDeadLetters({ sqs: new SQSClient({}), queueUrl: QUEUE, now: () => NOW });
    expect(letters.map((l) => l.messageId)).toEqual(['m-1', 'm-2']);
    expect(letters[0]).toMatchObject({
      eventId: 'event-1',
      detailType: 'EMR Step Status Change',
      source: 'aws.emr',
      errorCode: 'Throttling',
      errorMessage: 'Rate exceeded',
      ruleArn: RULE,
      retryAttempts: 185,
      exhaustedRetryCondition: 'MaximumRetryAttemptsExhausted',
      ageSeconds: 5400,
    });
    const receives = sqs.commandCalls(ReceiveMessageCommand);
    expect(receives).toHaveLength(2);
    expect(receives[0]!.args[0].input).toMatchObject({
      QueueUrl: QUEUE,
      VisibilityTimeout: 0,
      MessageAttributeNames: ['All'],
    });
  });

  it('redrives: puts each original event back on its rule bus and deletes only the entries PutEvents accepted', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [message(1), message(2), message(3, { rule: CUSTOM_RULE }), message(4, { body: 'not json' })],
      })
      .resolves({ Messages: [] });
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [
        { EventId: 'new-1' },
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
        { EventId: 'new-3' },
      ],
    });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }, { Id: '1' }], Failed: [] });
    const report = await redriveSqsDeadLetters({
      sqs: new SQSClient({}),
      eventBridge: new EventBridgeClient({}),
      queueUrl: QUEUE,
      now: () => NOW,
    });

    const put = eventBridge.commandCalls(PutEventsCommand);
    expect(put).toHaveLength(1);
    const entries = put[0]!.args[0].input.Entries!;
    expect(entries[0]).toEqual({
      Source: 'aws.emr',
      DetailType: 'EMR Step Status Change',
      Detail: JSON.stringify({ stepId: 's-1', name: 'hourly-aggregations', state: 'COMPLETED' }),
      EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/default',
      Resources: ['arn:aws:elasticmapreduce:eu-west-1:123456789012:cluster/j-1'],
      Time: new Date('2026-11-27T11:07:00Z'),
    });
    expect(entries[2]!.EventBusName).toBe('arn:aws:events:eu-west-1:123456789012:event-bus/aurora-imports');

    const deletes = sqs.commandCalls(DeleteMessageBatchCommand);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.args[0].input.Entries!.map((e) => e.ReceiptHandle)).toEqual(['rh-1', 'rh-3']);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input.VisibilityTimeout).toBe(60);

    expect(report.redriven.map((r) => [r.messageId, r.newEventId])).toEqual([
      ['m-1', 'new-1'],
      ['m-3', 'new-3'],
    ]);
    expect(report.failed.map((f) => [f.messageId, f.errorCode])).toEqual([
      ['m-4', 'InvalidBody'],
      ['m-2', 'ThrottlingException'],
    ]);
  });

  it('keeps a message whose delete failed in the report, and deletes nothing when PutEvents itself fails', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message(1), message(2)] })
      .resolves({ Messages: [] });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'n1' }, { EventId: 'n2' }] });
    sqs.on(DeleteMessageBatchCommand).resolves({
      Successful: [{ Id: '0' }],
      Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', Message: 'expired', SenderFault: true }],
    });
    const report = await redriveSqsDeadLetters({
      sqs: new SQSClient({}),
      eventBridge: new EventBridgeClient({}),
      queueUrl: QUEUE,
    });
    expect(report.redriven.map((r) => r.messageId)).toEqual(['m-1']);
    expect(report.failed[0]).toMatchObject({ messageId: 'm-2', errorCode: 'DeleteFailed:ReceiptHandleIsInvalid' });

    sqs.reset();
    eventBridge.reset();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message(5)] })
      .resolves({ Messages: [] });
    eventBridge.on(PutEventsCommand).rejects(new Error('AccessDenied'));
    const refused = await redriveSqsDeadLetters({
      sqs: new SQSClient({}),
      eventBridge: new EventBridgeClient({}),
      queueUrl: QUEUE,
      eventBusName: 'other-bus',
    });
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.EventBusName).toBe('other-bus');
    expect(refused.redriven).toEqual([]);
    expect(refused.failed).toHaveLength(1);
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
  });

  it('reads the bus from a rule ARN', () => {
    expect(eventBusOfRuleArn(RULE)).toBe('arn:aws:events:eu-west-1:123456789012:event-bus/default');
    expect(eventBusOfRuleArn(CUSTOM_RULE)).toBe('arn:aws:events:eu-west-1:123456789012:event-bus/aurora-imports');
    expect(eventBusOfRuleArn('not-an-arn')).toBeUndefined();
  });
});

describe('aurora-imports dlq --queue-url', () => {
  it('lists as text and as JSON', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message(1)] })
      .resolves({ Messages: [] });
    const io = captureIo('/tmp');
    expect(await dlq.run(['list', '--queue-url', QUEUE], io)).toBe(0);
    expect(io.out()).toContain(`1 dead letter(s) in ${QUEUE}:`);
    expect(io.out()).toContain('- event event-1  EMR Step Status Change  from aws.emr  (message m-1)');
    expect(io.out()).toContain('    error:    Throttling: Rate exceeded');
    expect(io.out()).toContain(`    rule:     ${RULE}`);
    expect(io.out()).toContain('    attempts: 186 (185 retries), MaximumRetryAttemptsExhausted');
    expect(io.out()).toMatch(/ {4}age: {6}\d/);

    sqs.reset();
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message(1)] })
      .resolves({ Messages: [] });
    const json = captureIo('/tmp');
    expect(await dlq.run(['list', '--queue-url', QUEUE, '--json'], json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual([expect.objectContaining({ messageId: 'm-1', eventId: 'event-1' })]);
  });

  it('redrive exits 1 when an entry was refused, and says why', async () => {
    // A target that is no state machine cannot be started directly: the event goes through PutEvents, which refuses
    // aws.* sources. (State machine targets are started directly: sqs-direct-start.test.ts.)
    const queueTarget = 'arn:aws:sqs:eu-west-1:123456789012:some-subscriber';
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message(1, { target: queueTarget })] })
      .resolves({ Messages: [] });
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' }],
    });
    const io = captureIo('/tmp');
    expect(await dlq.run(['redrive', '--queue-url', QUEUE], io)).toBe(1);
    expect(io.out()).toContain('0 re-put and removed, 1 failed');
    expect(io.out()).toContain(
      "NotAuthorizedForSourceException: Not authorized for the source. (PutEvents cannot send events whose source starts with 'aws.'",
    );
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
  });

  it('rejects a bad action or option, naming it', async () => {
    await expect(dlq.run(['purge'], captureIo('/tmp'))).rejects.toThrow(/expected 'list' or 'redrive', got 'purge'/);
    await expect(dlq.run(['list', '--max', '0'], captureIo('/tmp'))).rejects.toThrow(
      /--max must be a positive integer/,
    );
    await expect(dlq.run(['list', '--queue-url', 'aurora-dlq'], captureIo('/tmp'))).rejects.toThrow(
      /--queue-url must be/,
    );
  });
});
