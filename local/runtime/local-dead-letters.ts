import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_REQUEST_SIZE_BYTES, type PutEventsEntry } from '../../events/publish-batches.ts';
import {
  type DeadLetterSummary,
  eventBusOfRuleArn,
  explainPutEventsError,
  putEventsBatches,
  putEventsEntryOf,
  type RedriveReport,
  summarizeDeadLetter,
} from '../../functions/shared/aws/sqs-dead-letters.ts';
import { busStateDir, readDeadLetters } from '../eventbridge/bus-state.ts';
import type { DeadLetterRecord } from '../eventbridge/dead-letter.ts';
import type { PutEventsResult } from '../eventbridge/event-bus.ts';

/** The file `bus-state.ts` appends dead letters to (its name is private there; the format is JSON lines). */
const DEAD_LETTER_FILE = 'dead-letters.jsonl';

function summarize(record: DeadLetterRecord, now: Date): DeadLetterSummary {
  return summarizeDeadLetter(
    record.messageId,
    record.event,
    record.attributes as unknown as Record<string, string | undefined>,
    new Date(record.sentAt),
    now,
  );
}

/** The local bus's dead letters under the state dir, oldest first, in the shape `dlq list` shows. */
export function listLocalDeadLetters(stateDir: string, now: Date = new Date()): DeadLetterSummary[] {
  return readDeadLetters(stateDir).map((record) => summarize(record, now));
}

/**
 * Removes dead letters by message id, keeping every other record (including any the bus appended meanwhile: the
 * file is read again here). Rewrites the file through a temporary one and a rename, so a crash leaves either the old
 * file or the new one. Synchronous, like the bus's appends, so none can interleave within this process.
 */
export function removeLocalDeadLetters(stateDir: string, messageIds: ReadonlySet<string>): number {
  const path = join(busStateDir(stateDir), DEAD_LETTER_FILE);
  if (messageIds.size === 0 || !existsSync(path)) return 0;
  const records = readDeadLetters(stateDir);
  const kept = records.filter((record) => !messageIds.has(record.messageId));
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, kept.map((record) => `${JSON.stringify(record)}\n`).join(''));
  renameSync(temporary, path);
  return records.length - kept.length;
}

/** The part of the local bus a redrive needs. */
export interface LocalBusForRedrive {
  putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult>;
  idle(): Promise<void>;
}

/**
 * Redrives the local dead letters: puts each original event back on its bus (the bus of its rule, or
 * `eventBusName`), waits for the deliveries, then removes only the records whose PutEvents entry was accepted.
 */
export async function redriveLocalDeadLetters(options: {
  readonly bus: LocalBusForRedrive;
  readonly stateDir: string;
  readonly eventBusName?: string;
  readonly maxMessages?: number;
}): Promise<RedriveReport> {
  const records = readDeadLetters(options.stateDir).slice(0, options.maxMessages ?? Number.POSITIVE_INFINITY);
  const redriven: RedriveReport['redriven'][number][] = [];
  const failed: RedriveReport['failed'][number][] = [];
  const items: { record: DeadLetterRecord; entry: PutEventsEntry }[] = [];
  for (const record of records) {
    const eventId = typeof record.event.id === 'string' ? { eventId: record.event.id } : {};
    const bus = options.eventBusName ?? eventBusOfRuleArn(record.attributes.RULE_ARN);
    if (!bus) {
      failed.push({
        messageId: record.messageId,
        ...eventId,
        errorCode: 'UnknownEventBus',
        errorMessage: `RULE_ARN '${record.attributes.RULE_ARN}' names no bus: pass --event-bus`,
      });
    } else items.push({ record, entry: putEventsEntryOf(record.event, bus) });
  }
  for (const batch of putEventsBatches(items, DEFAULT_MAX_REQUEST_SIZE_BYTES)) {
    let result: PutEventsResult;
    try {
      result = await options.bus.putEvents(batch.map((item) => item.entry));
    } catch (error) {
      for (const { record } of batch) {
        failed.push({
          messageId: record.messageId,
          errorCode: (error as Error).name,
          errorMessage: (error as Error).message,
        });
      }
      continue;
    }
    batch.forEach(({ record, entry }, index) => {
      const outcome = result.Entries[index];
      const eventId = typeof record.event.id === 'string' ? { eventId: record.event.id } : {};
      if (outcome?.EventId && !outcome.ErrorCode) {
        redriven.push({
          messageId: record.messageId,
          ...eventId,
          newEventId: outcome.EventId,
          eventBusName: entry.EventBusName ?? 'default',
        });
      } else {
        const code = outcome?.ErrorCode ?? 'NoResult';
        failed.push({
          messageId: record.messageId,
          ...eventId,
          errorCode: code,
          errorMessage: explainPutEventsError(code, outcome?.ErrorMessage ?? ''),
        });
      }
    });
  }
  // Deliver first: a redriven event that fails again is appended as a new dead letter, never lost.
  await options.bus.idle();
  removeLocalDeadLetters(options.stateDir, new Set(redriven.map((item) => item.messageId)));
  return { redriven, failed };
}
