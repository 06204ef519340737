import type { Logger } from '@aws-lambda-powertools/logger';
import type { EventPublisher } from '../../../events/event-publisher.ts';
import type { AuroraDatabase } from '../aurora/aurora-database.ts';
import type { Catalog } from '../catalog/catalog-types.ts';
import type { ObjectStore } from '../ports/object-store.ts';
import type { MetricsSink } from './metrics-sink.ts';

/**
 * Everything a function's logic may use, built one way in AWS (`aws-dependencies.ts`, from the Lambda environment)
 * and one way locally (`local/runtime/`). The logic never knows which it has.
 */
export interface FunctionDependencies {
  readonly catalog: Catalog;
  readonly logger: Logger;
  readonly metrics: MetricsSink;
  readonly publisher: EventPublisher;
  readonly objectStore: ObjectStore;
  /** Opened on first use: functions that never touch Aurora never connect. */
  database(): Promise<AuroraDatabase>;
  /** Configuration (retry policy, slots, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A function's logic: the Lambda handler and the local engine both call exactly this. */
export type FunctionLogic<Result = unknown> = (payload: unknown, invocation: FunctionInvocation) => Promise<Result>;

/** What the caller knows of the invocation. */
export interface FunctionInvocation {
  /** Milliseconds left before the caller gives up (the Lambda timeout); Infinity when unbounded. */
  remainingTimeMs(): number;
  /** Aborted when the caller gives up (local engine: the execution stopped). */
  readonly signal?: AbortSignal;
}
