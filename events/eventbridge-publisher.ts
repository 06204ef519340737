import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher, PublishReport } from './event-publisher.ts';
import type { ImportEvent } from './event-types.ts';
import { BatchPublisher, type BatchPublisherOptions } from './publish-batches.ts';

/** Options of {@link EventBridgePublisher}; see {@link BatchPublisherOptions} for batching and resends. */
export interface EventBridgePublisherOptions extends BatchPublisherOptions {
  readonly client: EventBridgeClient;
}

/**
 * Publishes our events to Amazon EventBridge with PutEvents: schema validation first, batches of at most 10 entries
 * and the size limit, resends of only the failed entries with exponential backoff, and `EventPublishError` listing
 * whatever was still refused after the last try.
 */
export class EventBridgePublisher implements EventPublisher {
  readonly #inner: BatchPublisher;

  constructor(options: EventBridgePublisherOptions) {
    const { client, ...batchOptions } = options;
    this.#inner = new BatchPublisher(async (entries) => {
      const output = await client.send(new PutEventsCommand({ Entries: entries }));
      return output.Entries ?? [];
    }, batchOptions);
  }

  publish(events: readonly ImportEvent[]): Promise<PublishReport> {
    return this.#inner.publish(events);
  }
}
