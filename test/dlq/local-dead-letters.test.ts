import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EMR_STEP_COMPLETED_PATTERN } from '../../events/event-patterns.ts';
import { findLedgerGaps } from '../../functions/catch-up/ledger-gaps.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import dlq from '../../local/cli/commands/dlq.ts';
import { readDeadLetters } from '../../local/eventbridge/bus-state.ts';
import { LocalEventBridge } from '../../local/eventbridge/event-bus.ts';
import { LocalQueue } from '../../local/eventbridge/local-queue.ts';
import { functionTarget } from '../../local/eventbridge/targets.ts';
import { emrStepCompletedEvent } from '../../local/runtime/emr-trigger.ts';
import {
  listLocalDeadLetters,
  redriveLocalDeadLetters,
  removeLocalDeadLetters,
} from '../../local/runtime/local-dead-letters.ts';
import { createPipelineFixture, type PipelineFixture } from '../pipeline/pipeline-support.ts';
import { captureIo } from '../support/capture-io.ts';

/** A bus with one rule whose target fails while `failing` is true, retried once, then dead-lettered. */
function flakyBus(stateDir: string, options: ConstructorParameters<typeof LocalEventBridge>[0] = {}) {
  const state = { failing: true, received: [] as unknown[] };
  const bus = new LocalEventBridge({ stateDir, backoff: { initialDelayMs: 0, maxDelayMs: 0 }, ...options });
  bus.createEventBus('app');
  bus.putRule({
    name: 'orders-to-billing',
    eventBusName: 'app',
    eventPattern: { source: ['test.orders', 'test.refused'] },
  });
  bus.putTargets(
    'orders-to-billing',
    [
      {
        id: 'billing',
        arn: 'arn:aws:lambda:us-east-1:000000000000:function:billing',
        target: functionTarget((input) => {
          if (state.failing) throw Object.assign(new Error('billing is down'), { code: 'ServiceUnavailable' });
          state.received.push(input);
        }),
        retryPolicy: { MaximumRetryAttempts: 1 },
        deadLetterQueue: new LocalQueue('billing-dlq'),
      },
    ],
    'app',
  );
  return { bus, state };
}

describe('the local bus dead letters', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'aurora-imports-dlq-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('lists a target failure that reached the DLQ, redrives it, sees it delivered and removed', async () => {
    const { bus, state } = flakyBus(stateDir);
    await bus.putEvents([
      { Source: 'test.orders', DetailType: 'Order Placed', Detail: '{"order":1}', EventBusName: 'app' },
    ]);
    await bus.idle();
    expect(readDeadLetters(stateDir)).toHaveLength(1);
    const [letter] = listLocalDeadLetters(stateDir);
    expect(letter).toMatchObject({
      detailType: 'Order Placed',
      source: 'test.orders',
      errorCode: 'ServiceUnavailable',
      errorMessage: 'billing is down',
      ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/app/orders-to-billing',
      retryAttempts: 1,
      exhaustedRetryCondition: 'MaximumRetryAttemptsExhausted',
    });

    const io = captureIo(stateDir);
    expect(await dlq.run(['list', '--state-dir', stateDir], io)).toBe(0);
    expect(io.out()).toContain('1 dead letter(s) in the local bus');
    expect(io.out()).toContain(`- event ${letter!.eventId}  Order Placed  from test.orders`);
    expect(io.out()).toContain('attempts: 2 (1 retry), MaximumRetryAttemptsExhausted');

    state.failing = false;
    const report = await redriveLocalDeadLetters({ bus, stateDir });
    expect(report.failed).toEqual([]);
    expect(report.redriven).toEqual([
      expect.objectContaining({
        messageId: letter!.messageId,
        eventId: letter!.eventId,
        eventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/app',
      }),
    ]);
    expect(state.received).toEqual([expect.objectContaining({ source: 'test.orders', detail: { order: 1 } })]);
    expect(readDeadLetters(stateDir)).toEqual([]);
  });

  it('removes only what was re-put; a redriven event that fails again comes back as a new dead letter', async () => {
    const { bus } = flakyBus(stateDir);
    await bus.putEvents([
      { Source: 'test.orders', DetailType: 'Order Placed', Detail: '{"order":2}', EventBusName: 'app' },
      { Source: 'test.refused', DetailType: 'Order Placed', Detail: '{"order":3}', EventBusName: 'app' },
    ]);
    await bus.idle();
    const before = readDeadLetters(stateDir);
    expect(before).toHaveLength(2);

    // The redrive bus refuses one entry (as PutEvents may, per entry); the target still fails for the other.
    const redriveBus = flakyBus(stateDir, {
      entryFault: (entry) =>
        entry.Source === 'test.refused' ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try later' } : undefined,
    }).bus;
    const report = await redriveLocalDeadLetters({ bus: redriveBus, stateDir });
    expect(report.redriven.map((r) => r.messageId)).toEqual([before[0]!.messageId]);
    expect(report.failed).toEqual([
      expect.objectContaining({ messageId: before[1]!.messageId, errorCode: 'InternalFailure' }),
    ]);
    const after = readDeadLetters(stateDir);
    expect(after).toHaveLength(2);
    expect(after[0]!.messageId).toBe(before[1]!.messageId); // refused: kept
    expect(after[1]!.messageId).not.toBe(before[0]!.messageId); // failed again: a new dead letter
    expect(after[1]!.event.detail).toEqual({ order: 2 });

    expect(removeLocalDeadLetters(stateDir, new Set(['no-such-id']))).toBe(0);
    expect(readDeadLetters(stateDir)).toHaveLength(2);
  });
});

describe('aurora-imports dlq redrive on the local runtime', () => {
  const HOUR = '2026-11-27T10';
  let fixture: PipelineFixture;
  beforeAll(async () => {
    fixture = await createPipelineFixture([HOUR]);
  }, 120_000);
  afterAll(async () => {
    await fixture?.close();
  });

  it('re-puts a dead-lettered EMR event: the orchestrator imports the hour and the dead letter is gone', async () => {
    // The EMR rule of the runtime, as deployed, with a target that cannot start the orchestrator.
    const bus = new LocalEventBridge({ stateDir: fixture.stateDir, backoff: { initialDelayMs: 0, maxDelayMs: 0 } });
    bus.putRule({
      name: 'emr-step-completed-to-orchestrator',
      eventPattern: EMR_STEP_COMPLETED_PATTERN(['hourly-aggregations']),
    });
    bus.putTargets('emr-step-completed-to-orchestrator', [
      {
        id: 'orchestrator',
        arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:orchestrateAuroraImports',
        target: functionTarget(() => {
          throw Object.assign(new Error('Rate exceeded'), { code: 'ThrottlingException' });
        }),
        retryPolicy: { MaximumRetryAttempts: 0 },
        deadLetterQueue: new LocalQueue('emr-trigger-dlq'),
      },
    ]);
    const event = emrStepCompletedEvent(parseHour(HOUR));
    await bus.putEvents([
      {
        Source: String(event.source),
        DetailType: String(event['detail-type']),
        Detail: JSON.stringify(event.detail),
        Time: new Date(String(event.time)),
      },
    ]);
    await bus.idle();
    expect(readDeadLetters(fixture.stateDir)).toHaveLength(1);

    const io = captureIo(fixture.stateDir);
    const code = await dlq.run(
      [
        'redrive',
        '--state-dir',
        fixture.stateDir,
        '--data-dir',
        fixture.dataDir,
        '--database-url',
        fixture.testDatabase.url,
      ],
      io,
    );
    expect(code, io.err()).toBe(0);
    expect(io.out()).toContain('1 re-put and removed, 0 failed');
    expect(io.err()).toMatch(/orchestration .+: SUCCEEDED/);
    expect(readDeadLetters(fixture.stateDir)).toEqual([]);
    const tables = fixture.catalog.tables.map((table) => table.name);
    expect(await findLedgerGaps(fixture.database.db, tables, { from: parseHour(HOUR), to: parseHour(HOUR) })).toEqual(
      [],
    );
  });
});
