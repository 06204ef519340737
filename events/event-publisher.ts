import type { ImportEvent } from './event-types.ts';

/** One event that was accepted by the bus. */
export interface PublishedEntry {
  readonly detailType: ImportEvent['detailType'];
  readonly eventId: string;
}

/** One event that was still refused after the last try. */
export interface FailedEntry {
  readonly event: ImportEvent;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** What a publish call did, in input order within each list. */
export interface PublishReport {
  readonly published: readonly PublishedEntry[];
  /** Empty unless the publisher was built with `onUnpublished: 'report'` (by default it throws instead). */
  readonly failed: readonly FailedEntry[];
  /** PutEvents calls made, resends included. */
  readonly requests: number;
}

/**
 * The port through which the pipeline publishes its events (design.md section 6). Every event is validated against
 * its JSON Schema before anything is sent: an invalid event throws `InvalidEventError` and nothing is published.
 * Implementations: `EventBridgePublisher` (AWS) and `LocalBusPublisher` (the local bus).
 */
export interface EventPublisher {
  publish(events: readonly ImportEvent[]): Promise<PublishReport>;
}
