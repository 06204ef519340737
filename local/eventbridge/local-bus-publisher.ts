import type { EventPublisher, PublishReport } from '../../events/event-publisher.ts';
import type { ImportEvent } from '../../events/event-types.ts';
import { BatchPublisher, type BatchPublisherOptions } from '../../events/publish-batches.ts';
import type { LocalEventBridge } from './event-bus.ts';

/**
 * The {@link EventPublisher} port over the local bus: same validation, batching and resend rules as the EventBridge
 * publisher, so the pipeline behaves the same on a laptop.
 */
export class LocalBusPublisher implements EventPublisher {
  readonly #inner: BatchPublisher;

  constructor(bus: LocalEventBridge, options: BatchPublisherOptions = {}) {
    this.#inner = new BatchPublisher(async (entries) => (await bus.putEvents(entries)).Entries, {
      // The local bus needs no real backoff.
      sleep: async () => undefined,
      ...options,
    });
  }

  publish(events: readonly ImportEvent[]): Promise<PublishReport> {
    return this.#inner.publish(events);
  }
}
