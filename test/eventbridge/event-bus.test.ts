import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../local/clock.ts';
import { readArchive, readDeadLetters } from '../../local/eventbridge/bus-state.ts';
import { InvalidEventPatternError, ValidationError } from '../../local/eventbridge/errors.ts';
import { LocalEventBridge } from '../../local/eventbridge/event-bus.ts';
import { LocalQueue } from '../../local/eventbridge/local-queue.ts';
import { functionTarget, NonRetryableTargetError, queueTarget } from '../../local/eventbridge/targets.ts';

const entry = (detail: Record<string, unknown> = { table: 'plays' }, extra: Record<string, unknown> = {}) => ({
  Source: 'aurora-imports',
  DetailType: 'Import Succeeded',
  Detail: JSON.stringify(detail),
  ...extra,
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function failingTarget(failures: number, error: () => Error = () => new Error('boom')) {
  const calls: unknown[] = [];
  return {
    calls,
    target: functionTarget((input) => {
      calls.push(input);
      if (calls.length <= failures) throw error();
    }),
  };
}

describe('LocalEventBridge PutEvents', () => {
  it('gives events id, time, account, region and routes them to matching enabled rules only', async () => {
    const clock = new VirtualClock({ start: new Date('2026-11-27T10:00:00.250Z') });
    const bus = new LocalEventBridge({ clock, account: '123456789012', region: 'eu-west-1' });
    const queue = new LocalQueue('q');
    const disabled = new LocalQueue('disabled');
    bus.putRule({ name: 'r', eventPattern: { source: ['aurora-imports'], detail: { table: ['plays'] } } });
    bus.putTargets('r', [{ id: 't', arn: queue.arn, target: queueTarget(queue) }]);
    bus.putRule({ name: 'off', eventPattern: { source: ['aurora-imports'] }, state: 'DISABLED' });
    bus.putTargets('off', [{ id: 't', arn: disabled.arn, target: queueTarget(disabled) }]);

    const result = await bus.putEvents([entry(), entry({ table: 'other' })]);
    await bus.idle();

    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries.every((e) => typeof e.EventId === 'string')).toBe(true);
    expect(queue.messages).toHaveLength(1);
    expect(disabled.messages).toHaveLength(0);
    const event = JSON.parse(queue.messages[0]?.body ?? '{}');
    expect(event).toEqual({
      version: '0',
      id: result.Entries[0]?.EventId,
      'detail-type': 'Import Succeeded',
      source: 'aurora-imports',
      account: '123456789012',
      time: '2026-11-27T10:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { table: 'plays' },
    });
  });

  it('reports per-entry failures and FailedEntryCount (malformed detail, missing field, injected throttling)', async () => {
    const bus = new LocalEventBridge({
      entryFault: (_entry, index) =>
        index === 3 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : undefined,
    });
    const result = await bus.putEvents([
      entry(),
      { Source: 'aurora-imports', DetailType: 'X', Detail: '[1]' },
      { Source: 'aurora-imports', Detail: '{}' },
      entry(),
      entry({}, { EventBusName: 'missing' }),
    ]);
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries.map((e) => e.ErrorCode)).toEqual([
      undefined,
      'MalformedDetail',
      'InvalidArgument',
      'ThrottlingException',
      'ResourceNotFoundException',
    ]);
    expect(result.Entries[2]?.ErrorMessage).toBe(
      'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
    );
    expect(bus.archivedEvents()).toHaveLength(1);
  });

  it('rejects more than 10 entries and requests over the configured size limit as a whole', async () => {
    const bus = new LocalEventBridge({ maxRequestSizeBytes: 1_000 });
    await expect(bus.putEvents(Array.from({ length: 11 }, () => entry()))).rejects.toBeInstanceOf(ValidationError);
    await expect(bus.putEvents([entry({ blob: 'x'.repeat(1_000) })])).rejects.toThrow(/over the limit/);
    expect(bus.archivedEvents()).toHaveLength(0);
  });

  it('validates patterns at PutRule and targets at PutTargets with AWS wording', () => {
    const bus = new LocalEventBridge();
    expect(() => bus.putRule({ name: 'bad', eventPattern: '{"a": 1}' })).toThrow(InvalidEventPatternError);
    expect(() => bus.putRule({ name: 'bad', eventPattern: '{"a": 1}' })).toThrow(
      'Event pattern is not valid. Reason: "a" must be an object or an array',
    );
    bus.putRule({ name: 'r', eventPattern: { source: ['x'] } });
    const target = functionTarget(() => undefined);
    expect(() =>
      bus.putTargets('r', [{ id: 't1', arn: 'a', target, inputTransformer: { InputTemplate: '"<nope>"' } }]),
    ).toThrow('InputTemplate for target t1 contains invalid placeholder nope.');
    expect(() =>
      bus.putTargets('r', [{ id: 't2', arn: 'a', target, retryPolicy: { MaximumRetryAttempts: 186 } }]),
    ).toThrow(/MaximumRetryAttempts/);
  });
});

describe('LocalEventBridge delivery', () => {
  it('retries with exponential backoff, then succeeds (at least once: the target saw the event 3 times)', async () => {
    const clock = new VirtualClock({ start: new Date('2026-11-27T10:00:00Z') });
    const bus = new LocalEventBridge({ clock });
    const { calls, target } = failingTarget(2);
    bus.putRule({ name: 'r', eventPattern: { source: ['aurora-imports'] } });
    bus.putTargets('r', [{ id: 't', arn: 'arn:fn', target, inputPath: '$.detail' }]);
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(calls).toEqual([{ table: 'plays' }, { table: 'plays' }, { table: 'plays' }]);
    expect(clock.sleeps).toEqual([1_000, 2_000]);
    expect(bus.deliveries.map((d) => d.outcome)).toEqual([{ status: 'delivered', attempts: 3 }]);
  });

  it('after MaximumRetryAttempts sends the original event to the DLQ with AWS attributes', async () => {
    const clock = new VirtualClock({ start: new Date('2026-11-27T10:00:00Z') });
    const stateDir = mkdtempSync(join(tmpdir(), 'bus-'));
    dirs.push(stateDir);
    const bus = new LocalEventBridge({ clock, stateDir, account: '111111111111' });
    const dlq = new LocalQueue('dlq');
    const { calls, target } = failingTarget(100, () => Object.assign(new Error('table locked'), { code: 'Locked' }));
    const { RuleArn } = bus.putRule({ name: 'r', eventPattern: { source: ['aurora-imports'] } });
    bus.putTargets('r', [
      {
        id: 't',
        arn: 'arn:aws:lambda:us-east-1:111111111111:function:f',
        target,
        inputTransformer: { InputPathsMap: { t: '$.detail.table' }, InputTemplate: '{"table": <t>}' },
        retryPolicy: { MaximumRetryAttempts: 3 },
        deadLetterQueue: dlq,
      },
    ]);
    const { Entries } = await bus.putEvents([entry()]);
    await bus.idle();

    expect(calls).toHaveLength(4);
    expect(calls[0]).toEqual({ table: 'plays' });
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(dlq.messages).toHaveLength(1);
    const message = dlq.messages[0];
    expect(message?.attributes).toEqual({
      ERROR_CODE: 'Locked',
      ERROR_MESSAGE: 'table locked',
      RULE_ARN: RuleArn,
      TARGET_ARN: 'arn:aws:lambda:us-east-1:111111111111:function:f',
      RETRY_ATTEMPTS: '3',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttemptsExhausted',
    });
    const body = JSON.parse(message?.body ?? '{}');
    expect(body.id).toBe(Entries[0]?.EventId);
    expect(body.detail).toEqual({ table: 'plays' });
    // Persisted for later commands (`dlq`).
    const persisted = readDeadLetters(stateDir);
    expect(persisted).toHaveLength(1);
    expect(persisted[0]?.attributes.RETRY_ATTEMPTS).toBe('3');
    expect(persisted[0]?.event.id).toBe(Entries[0]?.EventId);
  });

  it('stops retrying when the next attempt would exceed MaximumEventAgeInSeconds', async () => {
    const clock = new VirtualClock({ start: new Date('2026-11-27T10:00:00Z') });
    const bus = new LocalEventBridge({
      clock,
      backoff: { initialDelayMs: 20_000, multiplier: 2, maxDelayMs: 600_000 },
    });
    const dlq = new LocalQueue('dlq');
    const { calls, target } = failingTarget(100);
    bus.putRule({ name: 'r', eventPattern: { source: ['aurora-imports'] } });
    bus.putTargets('r', [
      { id: 't', arn: 'a', target, retryPolicy: { MaximumEventAgeInSeconds: 60 }, deadLetterQueue: dlq },
    ]);
    await bus.putEvents([entry()]);
    await bus.idle();
    // Attempts at 0 s, 20 s (after 20 s) and 60 s (after 40 s); the next would be at 140 s > 60 s.
    expect(clock.sleeps).toEqual([20_000, 40_000]);
    expect(calls).toHaveLength(3);
    expect(dlq.messages[0]?.attributes).toMatchObject({
      EXHAUSTED_RETRY_CONDITION: 'MaximumEventAgeExhausted',
      RETRY_ATTEMPTS: '2',
    });
  });

  it('sends non-retryable failures to the DLQ at once', async () => {
    const bus = new LocalEventBridge({ clock: new VirtualClock({ start: new Date('2026-11-27T10:00:00Z') }) });
    const dlq = new LocalQueue('dlq');
    const { calls, target } = failingTarget(1, () => new NonRetryableTargetError('no such function'));
    bus.putRule({ name: 'r', eventPattern: { source: ['aurora-imports'] } });
    bus.putTargets('r', [{ id: 't', arn: 'a', target, deadLetterQueue: dlq }]);
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(calls).toHaveLength(1);
    expect(dlq.messages[0]?.attributes).toEqual({
      ERROR_CODE: 'NonRetryableTargetError',
      ERROR_MESSAGE: 'no such function',
      RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/r',
      TARGET_ARN: 'a',
      RETRY_ATTEMPTS: '0',
    });
  });

  it('records failures without a DLQ instead of hiding them', async () => {
    const bus = new LocalEventBridge({ clock: new VirtualClock({ start: new Date('2026-11-27T10:00:00Z') }) });
    const { target } = failingTarget(100);
    bus.putRule({ name: 'r', eventPattern: { source: ['aurora-imports'] } });
    bus.putTargets('r', [{ id: 't', arn: 'a', target, retryPolicy: { MaximumRetryAttempts: 0 } }]);
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(bus.deliveries[0]?.outcome).toMatchObject({ status: 'failed', attempts: 1, deadLetter: undefined });
    expect(bus.metrics()).toEqual({
      MatchedEvents: 1,
      TriggeredRules: 1,
      Invocations: 1,
      FailedInvocations: 1,
      InvocationsSentToDlq: 0,
      FailedInvocationsWithoutDlq: 1,
      DroppedInputs: 0,
    });
  });

  it('drops a transformed input that is not JSON, as AWS does, and says why', async () => {
    const bus = new LocalEventBridge();
    const queue = new LocalQueue('q');
    bus.putRule({ name: 'r', eventPattern: { source: ['aurora-imports'] } });
    bus.putTargets('r', [
      {
        id: 't',
        arn: queue.arn,
        target: queueTarget(queue),
        inputTransformer: { InputPathsMap: { d: '$.detail' }, InputTemplate: '{"d": "<d>"}' },
      },
    ]);
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(queue.messages).toHaveLength(0);
    expect(bus.deliveries[0]?.outcome.status).toBe('not-delivered');
  });
});

describe('LocalEventBridge archive and replay', () => {
  it('archives every event (persisted), and replays them with replay-name to the rules', async () => {
    const clock = new VirtualClock({ start: new Date('2026-11-27T10:00:00Z') });
    const stateDir = mkdtempSync(join(tmpdir(), 'bus-'));
    dirs.push(stateDir);
    const first = new LocalEventBridge({ clock, stateDir });
    await first.putEvents([entry({ n: 1 }), entry({ n: 2 })]);
    clock.advance(3_600_000);
    await first.putEvents([entry({ n: 3 })]);
    expect(readArchive(stateDir).map((a) => a.event.detail)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);

    // A later run (new bus over the same state dir) replays the first hour only.
    const second = new LocalEventBridge({ clock, stateDir });
    const queue = new LocalQueue('q');
    second.putRule({ name: 'r', eventPattern: { source: ['aurora-imports'] } });
    second.putTargets('r', [{ id: 't', arn: queue.arn, target: queueTarget(queue) }]);
    const { replayedEvents } = second.startReplay({
      replayName: 'hour-10',
      from: new Date('2026-11-27T10:00:00Z'),
      to: new Date('2026-11-27T11:00:00Z'),
    });
    await second.idle();
    expect(replayedEvents).toBe(2);
    const bodies = queue.messages.map((m) => JSON.parse(m.body));
    expect(bodies.map((b) => b.detail)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(bodies.every((b) => b['replay-name'] === 'hour-10')).toBe(true);
    expect(bodies[0].id).toBe(readArchive(stateDir)[0]?.event.id);
    // Replayed events are not archived again.
    expect(readArchive(stateDir)).toHaveLength(3);
  });

  it('matches replayed events by replay-name so rules can tell them apart', async () => {
    const bus = new LocalEventBridge();
    const replays = new LocalQueue('replays');
    bus.putRule({ name: 'r', eventPattern: { 'replay-name': [{ exists: true }] } });
    bus.putTargets('r', [{ id: 't', arn: replays.arn, target: queueTarget(replays) }]);
    await bus.putEvents([entry()]);
    await bus.idle();
    expect(replays.messages).toHaveLength(0);
    bus.startReplay({ replayName: 'again' });
    await bus.idle();
    expect(replays.messages).toHaveLength(1);
  });
});

describe('LocalEventBridge at-least-once', () => {
  it('can deliver an event twice so idempotent targets can be proven (same event id both times)', async () => {
    const bus = new LocalEventBridge({ duplicateDelivery: () => true });
    const seen: string[] = [];
    bus.putRule({ name: 'r', eventPattern: { source: ['aurora-imports'] } });
    bus.putTargets('r', [
      { id: 't', arn: 'a', target: functionTarget((_input, delivery) => seen.push(delivery.eventId)) },
    ]);
    const { Entries } = await bus.putEvents([entry()]);
    await bus.idle();
    expect(seen).toEqual([Entries[0]?.EventId, Entries[0]?.EventId]);
  });

  it('rejects bad rule names and unknown buses', () => {
    const bus = new LocalEventBridge();
    expect(() => bus.putRule({ name: 'has space', eventPattern: { source: ['x'] } })).toThrow(ValidationError);
    expect(() => bus.putRule({ name: 'r', eventBusName: 'nope', eventPattern: { source: ['x'] } })).toThrow(
      'Event bus nope does not exist.',
    );
    bus.createEventBus('imports');
    expect(bus.putRule({ name: 'r', eventBusName: 'imports', eventPattern: { source: ['x'] } }).RuleArn).toBe(
      'arn:aws:events:us-east-1:000000000000:rule/imports/r',
    );
  });
});
