/**
 * The local EventBridge: a faithful event bus for running aurora-imports without AWS.
 *
 * - {@link LocalEventBridge}: buses, rules, targets, PutEvents, delivery with retries and DLQ, archive and replay.
 * - {@link functionTarget} / {@link queueTarget}: targets; starting a state machine is a `functionTarget` supplied by
 *   the pipeline (the bus does not import the engine).
 * - {@link testEventPattern} / {@link compileEventPattern} / {@link matchesPattern}: the pattern engine on its own.
 * - {@link readArchive} / {@link readDeadLetters}: what earlier runs left under `<stateDir>/bus/`.
 */

export { type Clock, realClock, VirtualClock } from '../clock.ts';
export { type ArchivedEvent, busStateDir, readArchive, readDeadLetters } from './bus-state.ts';
export type { DeadLetterAttributes, DeadLetterRecord } from './dead-letter.ts';
export type { DeliveryOutcome, RegisteredTarget } from './delivery.ts';
export {
  InvalidEventParameterError,
  InvalidEventPatternError,
  ResourceNotFoundError,
  ValidationError,
} from './errors.ts';
export {
  DEFAULT_MAX_REQUEST_SIZE_BYTES,
  type DeliveryRecord,
  type EntryFault,
  type LocalBusMetrics,
  LocalEventBridge,
  type LocalEventBridgeOptions,
  type PutEventsRequestEntry,
  type PutEventsResult,
  type PutEventsResultEntry,
  putEventsEntrySize,
  type RuleDefinition,
} from './event-bus.ts';
export { parseTestEvent, testEventPattern } from './event-pattern.ts';
export {
  type InputTransformer,
  type TargetInputOptions,
  type TransformContext,
  transformTargetInput,
  validateTargetInput,
} from './input-transformer.ts';
export { LocalBusPublisher } from './local-bus-publisher.ts';
export { LocalQueue, type QueueMessage } from './local-queue.ts';
export { flattenEvent, matchesPattern } from './pattern-matching.ts';
export { compileEventPattern } from './pattern-validation.ts';
export type { BackoffOptions, RetryPolicy } from './retry-policy.ts';
export {
  type DeliveryInfo,
  functionTarget,
  type LocalTarget,
  NonRetryableTargetError,
  queueTarget,
} from './targets.ts';
