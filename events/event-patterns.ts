import {
  EMR_SERVERLESS_JOB_RUN_STATE_CHANGE,
  EMR_SERVERLESS_SOURCE,
  EMR_SOURCE,
  EMR_STEP_STATUS_CHANGE,
} from './emr-events.ts';
import { IMPORT_EVENT_SOURCE } from './event-types.ts';

/**
 * EventBridge rule patterns for subscribers, as plain JSON values (use them in CDK `eventPattern`, in
 * `aws events put-rule --event-pattern`, or on the local bus).
 */
export type EventPattern = Readonly<Record<string, unknown>>;

/**
 * EMR steps that COMPLETED, for the given step names. A name containing `*` is a wildcard (as the catalog's
 * `producedBy` allows); others match exactly.
 */
export function EMR_STEP_COMPLETED_PATTERN(stepNames: readonly string[]): EventPattern {
  if (stepNames.length === 0) throw new Error('EMR_STEP_COMPLETED_PATTERN needs at least one step name');
  return {
    source: [EMR_SOURCE],
    'detail-type': [EMR_STEP_STATUS_CHANGE],
    detail: { state: ['COMPLETED'], name: stepNameMatchers(stepNames) },
  };
}

/** EMR steps that ended without output (FAILED or CANCELLED), for the given step names: to report, not import. */
export function EMR_STEP_FAILED_PATTERN(stepNames: readonly string[]): EventPattern {
  if (stepNames.length === 0) throw new Error('EMR_STEP_FAILED_PATTERN needs at least one step name');
  return {
    source: [EMR_SOURCE],
    'detail-type': [EMR_STEP_STATUS_CHANGE],
    detail: { state: ['FAILED', 'CANCELLED'], name: stepNameMatchers(stepNames) },
  };
}

/** EMR Serverless job runs that succeeded. */
export const EMR_SERVERLESS_JOB_SUCCEEDED_PATTERN: EventPattern = {
  source: [EMR_SERVERLESS_SOURCE],
  'detail-type': [EMR_SERVERLESS_JOB_RUN_STATE_CHANGE],
  detail: { state: ['SUCCESS'] },
};

/** Every event aurora-imports publishes. */
export const IMPORT_EVENTS_PATTERN: EventPattern = { source: [IMPORT_EVENT_SOURCE] };

export const IMPORT_SUCCEEDED_PATTERN: EventPattern = {
  source: [IMPORT_EVENT_SOURCE],
  'detail-type': ['Import Succeeded'],
};

export const IMPORT_RETRYING_PATTERN: EventPattern = {
  source: [IMPORT_EVENT_SOURCE],
  'detail-type': ['Import Retrying'],
};

export const IMPORT_FAILED_PATTERN: EventPattern = {
  source: [IMPORT_EVENT_SOURCE],
  'detail-type': ['Import Failed'],
};

export const IMPORT_SKIPPED_PATTERN: EventPattern = {
  source: [IMPORT_EVENT_SOURCE],
  'detail-type': ['Import Skipped'],
};

export const ORCHESTRATION_COMPLETED_PATTERN: EventPattern = {
  source: [IMPORT_EVENT_SOURCE],
  'detail-type': ['Orchestration Completed'],
};

/** Import Succeeded for one table (e.g. a downstream job waiting for its input). */
export function IMPORT_SUCCEEDED_FOR_TABLE_PATTERN(table: string): EventPattern {
  return { ...IMPORT_SUCCEEDED_PATTERN, detail: { table: [table] } };
}

function stepNameMatchers(stepNames: readonly string[]): unknown[] {
  return stepNames.map((name) => (name.includes('*') ? { wildcard: name.replaceAll('\\', '\\\\') } : name));
}
