/**
 * The published event contracts of aurora-imports (design.md section 6) and the EMR events we consume.
 */
export { type EmrEventResult, parseEmrEvent } from './emr-events.ts';
export {
  EventPublishError,
  InvalidEventError,
  MalformedEventError,
  type UnpublishedEntry,
  UnrelatedEventError,
} from './errors.ts';
export * from './event-patterns.ts';
export type { EventPublisher, FailedEntry, PublishedEntry, PublishReport } from './event-publisher.ts';
export { checkImportEventEnvelope, readEventSchema, validateImportEvent } from './event-schemas.ts';
export * from './event-types.ts';
export { EventBridgePublisher, type EventBridgePublisherOptions } from './eventbridge-publisher.ts';
export { BatchPublisher, type BatchPublisherOptions, entrySize, MAX_ENTRIES_PER_REQUEST } from './publish-batches.ts';
