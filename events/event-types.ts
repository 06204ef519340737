/**
 * The events aurora-imports publishes (design.md section 6). Each detail type has a JSON Schema in
 * `schemas/events/<kebab-name>.schema.json`; {@link ImportEvent} is what publishers take.
 */

/** The `source` of every event we publish. */
export const IMPORT_EVENT_SOURCE = 'aurora-imports';

/** Every detail type we publish. */
export const IMPORT_DETAIL_TYPES = [
  'Import Succeeded',
  'Import Retrying',
  'Import Failed',
  'Import Skipped',
  'Orchestration Completed',
] as const;

export type ImportDetailType = (typeof IMPORT_DETAIL_TYPES)[number];

/** The stage of an import that failed or is retried. */
export type ImportStage = 'athena' | 'aurora';

/** Fields every detail carries, so one hour's story can be followed. */
export interface CorrelatedDetail {
  /** The orchestrator execution (ARN, or id locally) this event belongs to. */
  readonly correlationId: string;
}

/** A table's hour was imported. */
export interface ImportSucceededDetail extends CorrelatedDetail {
  /** Catalog table name. */
  readonly table: string;
  /** UTC hour, `YYYY-MM-DDTHH`. */
  readonly hour: string;
  readonly rowsInserted: number;
  readonly rowsUpdated: number;
  readonly rowsDeleted: number;
  readonly durationMs: number;
  readonly queryExecutionId: string;
  /** The import execution (child state machine). */
  readonly executionArn: string;
}

/** A stage failed with a retryable cause; another attempt follows after `nextDelaySeconds`. */
export interface ImportRetryingDetail extends CorrelatedDetail {
  readonly table: string;
  readonly hour: string;
  readonly stage: ImportStage;
  /** The error name, e.g. `Athena.TooManyRequestsException`. */
  readonly error: string;
  readonly cause: string;
  /** The attempt that failed, 1-based. */
  readonly attempt: number;
  readonly nextDelaySeconds: number;
}

/** A table's hour could not be imported (not retryable, or retries exhausted). */
export interface ImportFailedDetail extends CorrelatedDetail {
  readonly table: string;
  readonly hour: string;
  readonly stage: ImportStage;
  readonly error: string;
  readonly cause: string;
  /** Attempts made, 1-based. */
  readonly attempts: number;
  readonly executionArn: string;
}

/** A table's hour was not imported on purpose (e.g. already in the ledger). */
export interface ImportSkippedDetail extends CorrelatedDetail {
  readonly table: string;
  readonly hour: string;
  readonly reason: string;
}

/** The orchestrator finished one hour. */
export interface OrchestrationCompletedDetail extends CorrelatedDetail {
  readonly hour: string;
  readonly succeeded: readonly string[];
  readonly failed: readonly string[];
  readonly skipped: readonly string[];
  readonly durationMs: number;
}

/** Detail type → its detail. */
export interface ImportDetailByType {
  readonly 'Import Succeeded': ImportSucceededDetail;
  readonly 'Import Retrying': ImportRetryingDetail;
  readonly 'Import Failed': ImportFailedDetail;
  readonly 'Import Skipped': ImportSkippedDetail;
  readonly 'Orchestration Completed': OrchestrationCompletedDetail;
}

/** One event to publish: a detail type and its detail (discriminated on `detailType`). */
export type ImportEvent = {
  [K in ImportDetailType]: { readonly detailType: K; readonly detail: ImportDetailByType[K] };
}[ImportDetailType];

/** The EventBridge envelope of one of our events, as a subscriber receives it. */
export interface ImportEventEnvelope<K extends ImportDetailType = ImportDetailType> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': K;
  readonly source: typeof IMPORT_EVENT_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: ImportDetailByType[K];
  /** Present on replayed events only. */
  readonly 'replay-name'?: string;
}

/** `Import Succeeded` → `import-succeeded`: the schema file stem and schema name. */
export function schemaFileStem(detailType: ImportDetailType): string {
  return detailType.toLowerCase().replaceAll(' ', '-');
}
