import { ImportValidationError } from '../shared/errors.ts';
import { type ObjectLocation, parseS3Uri } from '../shared/ports/object-store.ts';

/** The Lambda's input, as the state machine sends it. */
export interface ImportEvent {
  readonly table: string;
  /** `2026-11-27T10` (UTC). */
  readonly hour: string;
  /** Where Athena wrote the result: `{bucket, key}`, or the `s3://bucket/key.csv` OutputLocation Athena reports. */
  readonly resultLocation: ObjectLocation;
  readonly queryExecutionId: string;
  readonly executionArn?: string;
  /** Identifier of the source data (EMR step id); a succeeded import of the same source is skipped. */
  readonly source?: string;
  readonly force?: boolean;
}

function text(input: Record<string, unknown>, field: string, table: string, optional = false): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw new ImportValidationError(table, `the import input lacks '${field}'`);
  }
  if (typeof value !== 'string' || value === '')
    throw new ImportValidationError(table, `the import input's '${field}' must be a non-empty string`);
  return value;
}

/** Validates the Lambda input; throws `ImportValidationError` naming the field. */
export function parseImportEvent(input: unknown): ImportEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ImportValidationError('(unknown table)', 'the import input must be a JSON object');
  const event = input as Record<string, unknown>;
  const table = typeof event.table === 'string' ? event.table : '(unknown table)';
  text(event, 'table', table);
  const hour = text(event, 'hour', table)!;
  const queryExecutionId = text(event, 'queryExecutionId', table)!;
  const executionArn = text(event, 'executionArn', table, true);
  const source = text(event, 'source', table, true);
  const raw = event.resultLocation;
  let resultLocation: ObjectLocation;
  if (typeof raw === 'string') {
    try {
      resultLocation = parseS3Uri(raw);
    } catch (error) {
      throw new ImportValidationError(table, `resultLocation: ${(error as Error).message}`);
    }
  } else if (
    typeof raw === 'object' &&
    raw !== null &&
    typeof (raw as ObjectLocation).bucket === 'string' &&
    typeof (raw as ObjectLocation).key === 'string'
  ) {
    resultLocation = { bucket: (raw as ObjectLocation).bucket, key: (raw as ObjectLocation).key };
  } else {
    throw new ImportValidationError(table, "the import input's 'resultLocation' must be {bucket, key} or an s3:// URI");
  }
  if (event.force !== undefined && typeof event.force !== 'boolean')
    throw new ImportValidationError(table, "the import input's 'force' must be a boolean");
  return {
    table,
    hour,
    resultLocation,
    queryExecutionId,
    ...(executionArn ? { executionArn } : {}),
    ...(source ? { source } : {}),
    ...(event.force === true ? { force: true } : {}),
  };
}
