import { EventPublishError } from './errors.ts';
import type { EventPublisher, FailedEntry, PublishedEntry, PublishReport } from './event-publisher.ts';
import { validateImportEvent } from './event-schemas.ts';
import { IMPORT_EVENT_SOURCE, type ImportEvent } from './event-types.ts';

/** A PutEvents request entry: the shape shared by `@aws-sdk/client-eventbridge` and the local bus. */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date;
}

/** A PutEvents response entry (either an `EventId` or an error). */
export interface PutEventsResponseEntry {
  readonly EventId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

/** Sends one PutEvents request; returns one response entry per request entry, in order. */
export type SendPutEvents = (entries: PutEventsEntry[]) => Promise<readonly PutEventsResponseEntry[]>;

/** Options shared by every publisher. */
export interface BatchPublisherOptions {
  /** Bus name or ARN; default: the account's default bus. */
  readonly eventBusName?: string;
  /** Request size limit in bytes, counted as AWS does (default 1 MiB; set 262,144 for the old 256 KiB limit). */
  readonly maxRequestSizeBytes?: number;
  /** Tries per entry, the first included (default 4). */
  readonly maxAttempts?: number;
  /** Delay before the first resend (default 100 ms), doubled each time up to `maxDelayMs` (default 5,000 ms). */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Injectable sleep, so tests take no real time. */
  readonly sleep?: (milliseconds: number) => Promise<void>;
  /** After the last try: throw `EventPublishError` (default) or return the failures in the report. */
  readonly onUnpublished?: 'throw' | 'report';
}

/** PutEvents takes at most this many entries. */
export const MAX_ENTRIES_PER_REQUEST = 10;
export const DEFAULT_MAX_REQUEST_SIZE_BYTES = 1_048_576;

/** Per-entry error codes a resend cannot fix. */
const PERMANENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'MalformedDetail',
  'InvalidArgument',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'EntryTooLarge',
]);

/** The size AWS counts for one entry (Time 14 bytes, then UTF-8 bytes of Source, DetailType, Detail, Resources). */
export function entrySize(
  entry: Partial<Pick<PutEventsEntry, 'Source' | 'DetailType' | 'Detail'>> & {
    readonly Time?: unknown;
    readonly Resources?: readonly string[] | undefined;
  },
): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((total, resource) => total + bytes(resource), 0)
  );
}

/** Splits entries (by index) into requests of at most 10 entries and at most `maxBytes`. */
export function planBatches(sizes: readonly number[], maxBytes: number): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  sizes.forEach((size, index) => {
    if (current.length === MAX_ENTRIES_PER_REQUEST || (current.length > 0 && currentBytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(index);
    currentBytes += size;
  });
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Publishes through any PutEvents-shaped sender: validate every event first, batch by count and size, resend only
 * the failed entries with exponential backoff, and never drop an entry silently.
 */
export class BatchPublisher implements EventPublisher {
  readonly #send: SendPutEvents;
  readonly #options: BatchPublisherOptions;

  constructor(send: SendPutEvents, options: BatchPublisherOptions = {}) {
    this.#send = send;
    this.#options = options;
  }

  async publish(events: readonly ImportEvent[]): Promise<PublishReport> {
    for (const event of events) validateImportEvent(event);
    const maxBytes = this.#options.maxRequestSizeBytes ?? DEFAULT_MAX_REQUEST_SIZE_BYTES;
    const maxAttempts = this.#options.maxAttempts ?? 4;
    const sleep = this.#options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const entries = events.map((event) => this.#toEntry(event));
    const published: (PublishedEntry & { index: number })[] = [];
    const failed: (FailedEntry & { index: number })[] = [];
    let requests = 0;

    let pending: number[] = [];
    entries.forEach((entry, index) => {
      const size = entrySize(entry);
      if (size > maxBytes) {
        failed.push({
          index,
          event: events[index] as ImportEvent,
          errorCode: 'EntryTooLarge',
          errorMessage: `entry is ${size} bytes, over the ${maxBytes}-byte request limit`,
        });
      } else pending.push(index);
    });

    for (let attempt = 1; pending.length > 0; attempt++) {
      const lastErrors = new Map<number, { code: string; message: string }>();
      for (const batch of planBatches(
        pending.map((index) => entrySize(entries[index] as PutEventsEntry)),
        maxBytes,
      )) {
        const indexes = batch.map((position) => pending[position] as number);
        requests++;
        let results: readonly PutEventsResponseEntry[];
        try {
          results = await this.#send(indexes.map((index) => entries[index] as PutEventsEntry));
        } catch (error) {
          // The whole request failed (throttled, network): every entry of it is retried.
          const err = error as Error;
          results = indexes.map(() => ({ ErrorCode: err.name || 'Error', ErrorMessage: err.message }));
        }
        indexes.forEach((index, i) => {
          const result = results[i];
          if (result?.EventId && !result.ErrorCode) {
            published.push({ index, detailType: (events[index] as ImportEvent).detailType, eventId: result.EventId });
          } else {
            lastErrors.set(index, {
              code: result?.ErrorCode ?? 'MissingResult',
              message: result?.ErrorMessage ?? 'PutEvents returned no result for this entry',
            });
          }
        });
      }
      const retryable: number[] = [];
      for (const [index, error] of lastErrors) {
        if (attempt < maxAttempts && !PERMANENT_ERROR_CODES.has(error.code)) retryable.push(index);
        else
          failed.push({
            index,
            event: events[index] as ImportEvent,
            errorCode: error.code,
            errorMessage: error.message,
          });
      }
      pending = retryable.sort((a, b) => a - b);
      if (pending.length > 0) {
        const initial = this.#options.initialDelayMs ?? 100;
        await sleep(Math.min(this.#options.maxDelayMs ?? 5_000, initial * 2 ** (attempt - 1)));
      }
    }

    const byIndex = <T extends { index: number }>(list: T[]) =>
      list.sort((a, b) => a.index - b.index).map(({ index: _index, ...rest }) => rest);
    const report: PublishReport = { published: byIndex(published), failed: byIndex(failed), requests };
    if (report.failed.length > 0 && (this.#options.onUnpublished ?? 'throw') === 'throw') {
      throw new EventPublishError(
        report.failed.map((f) => ({
          detailType: f.event.detailType,
          detail: f.event.detail,
          errorCode: f.errorCode,
          errorMessage: f.errorMessage,
        })),
        report.published.map((p) => p.eventId),
      );
    }
    return report;
  }

  #toEntry(event: ImportEvent): PutEventsEntry {
    return {
      Source: IMPORT_EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      ...(this.#options.eventBusName ? { EventBusName: this.#options.eventBusName } : {}),
    };
  }
}
