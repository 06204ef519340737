import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventPublishError, InvalidEventError } from '../../events/errors.ts';
import type { ImportEvent } from '../../events/event-types.ts';
import { EventBridgePublisher } from '../../events/eventbridge-publisher.ts';
import { entrySize } from '../../events/publish-batches.ts';

const eventBridge = mockClient(EventBridgeClient);

const skipped = (n: number, reason = 'already imported'): ImportEvent => ({
  detailType: 'Import Skipped',
  detail: { table: `t_${n}`, hour: '2026-11-27T10', reason, correlationId: 'exec-1' },
});

const sleeps: number[] = [];
const publisher = (options: Partial<ConstructorParameters<typeof EventBridgePublisher>[0]> = {}) =>
  new EventBridgePublisher({
    client: new EventBridgeClient({ region: 'eu-west-1' }),
    eventBusName: 'imports',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });

const requestEntries = (call: number): PutEventsRequestEntry[] =>
  (eventBridge.commandCalls(PutEventsCommand)[call]?.args[0].input.Entries ?? []) as PutEventsRequestEntry[];

/** Answers every entry with an id derived from its detail, except those `fail` picks. */
function answer(fail: (entry: PutEventsRequestEntry, call: number) => string | undefined) {
  let call = 0;
  eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
    const thisCall = call++;
    const Entries = input.Entries.map((entry) => {
      const code = fail(entry, thisCall);
      return code
        ? { ErrorCode: code, ErrorMessage: `${code} for ${JSON.parse(entry.Detail ?? '{}').table}` }
        : { EventId: `id-${JSON.parse(entry.Detail ?? '{}').table}` };
    });
    return { FailedEntryCount: Entries.filter((e) => 'ErrorCode' in e).length, Entries };
  });
}

beforeEach(() => {
  eventBridge.reset();
  sleeps.length = 0;
});

describe('EventBridgePublisher', () => {
  it('sends PutEvents entries with our source, detail type, JSON detail and bus, in batches of at most 10', async () => {
    answer(() => undefined);
    const events = Array.from({ length: 23 }, (_, i) => skipped(i));
    const report = await publisher().publish(events);
    expect(eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(requestEntries(0)[0]).toEqual({
      Source: 'aurora-imports',
      DetailType: 'Import Skipped',
      Detail: JSON.stringify(events[0]?.detail),
      EventBusName: 'imports',
    });
    expect(report.published.map((p) => p.eventId)).toEqual(events.map((_, i) => `id-t_${i}`));
    expect(report.failed).toEqual([]);
    expect(report.requests).toBe(3);
  });

  it('splits batches by request size as well', async () => {
    answer(() => undefined);
    const events = Array.from({ length: 4 }, (_, i) => skipped(i, 'x'.repeat(400)));
    const size = entrySize({
      Source: 'aurora-imports',
      DetailType: 'Import Skipped',
      Detail: JSON.stringify(events[0]?.detail),
    });
    await publisher({ maxRequestSizeBytes: size * 2 }).publish(events);
    expect(eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([2, 2]);
  });

  it('resends only the failed entries, with exponential backoff', async () => {
    answer((entry, call) => {
      const table = JSON.parse(entry.Detail ?? '{}').table;
      if (call === 0 && (table === 't_1' || table === 't_3')) return 'ThrottlingException';
      if (call === 1 && table === 't_3') return 'InternalFailure';
      return undefined;
    });
    const report = await publisher().publish([skipped(0), skipped(1), skipped(2), skipped(3)]);
    expect(requestEntries(1).map((e) => JSON.parse(e.Detail ?? '{}').table)).toEqual(['t_1', 't_3']);
    expect(requestEntries(2).map((e) => JSON.parse(e.Detail ?? '{}').table)).toEqual(['t_3']);
    expect(sleeps).toEqual([100, 200]);
    expect(report.published.map((p) => p.eventId)).toEqual(['id-t_0', 'id-t_1', 'id-t_2', 'id-t_3']);
  });

  it('retries a whole request that throws', async () => {
    let calls = 0;
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      if (calls++ === 0) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) };
    });
    const report = await publisher().publish([skipped(0)]);
    expect(report.published).toEqual([{ detailType: 'Import Skipped', eventId: 'e0' }]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  });

  it('after the last try throws EventPublishError listing what was not published (never drops silently)', async () => {
    answer((entry) => (JSON.parse(entry.Detail ?? '{}').table === 't_1' ? 'ThrottlingException' : undefined));
    const error = await publisher({ maxAttempts: 3 })
      .publish([skipped(0), skipped(1)])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventPublishError);
    const publishError = error as EventPublishError;
    expect(publishError.unpublished).toEqual([
      {
        detailType: 'Import Skipped',
        detail: skipped(1).detail,
        errorCode: 'ThrottlingException',
        errorMessage: 'ThrottlingException for t_1',
      },
    ]);
    expect(publishError.publishedEventIds).toEqual(['id-t_0']);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
    expect(publishError.message).toMatch(/^1 event\(s\) could not be published: Import Skipped \(ThrottlingException/);
  });

  it('does not resend entries refused for a permanent reason, and can report instead of throw', async () => {
    answer((entry) => (JSON.parse(entry.Detail ?? '{}').table === 't_0' ? 'MalformedDetail' : undefined));
    const report = await publisher({ onUnpublished: 'report' }).publish([skipped(0), skipped(1)]);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(report.failed).toEqual([
      { event: skipped(0), errorCode: 'MalformedDetail', errorMessage: 'MalformedDetail for t_0' },
    ]);
    expect(report.published).toEqual([{ detailType: 'Import Skipped', eventId: 'id-t_1' }]);
  });

  it('validates every event before sending anything', async () => {
    answer(() => undefined);
    const invalid = {
      detailType: 'Import Skipped',
      detail: { table: 'Bad Name', hour: '2026-11-27T10', reason: 'r', correlationId: 'c' },
    };
    await expect(publisher().publish([skipped(0), invalid as ImportEvent])).rejects.toBeInstanceOf(InvalidEventError);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('reports an entry larger than the request limit without sending it', async () => {
    answer(() => undefined);
    const report = await publisher({ maxRequestSizeBytes: 300, onUnpublished: 'report' }).publish([
      skipped(0),
      skipped(1, 'y'.repeat(400)),
    ]);
    expect(report.failed.map((f) => f.errorCode)).toEqual(['EntryTooLarge']);
    expect(report.published).toHaveLength(1);
  });
});
