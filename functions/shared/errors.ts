/**
 * One class per failure. Each has a stable `name` that Step Functions `Retry`/`Catch` match exactly
 * (`ErrorEquals` is case-sensitive), so renaming one is a breaking change.
 */

/** Where in the catalog a problem is: the file, and the table and field when known. */
export interface CatalogErrorLocation {
  readonly file: string;
  readonly table?: string;
  readonly field?: string;
}

/** The table catalog is invalid. The message names the file, the table and the field. Not retryable. */
export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  readonly file: string;
  readonly table: string | undefined;
  readonly field: string | undefined;

  constructor(location: CatalogErrorLocation, problem: string) {
    const where = [
      location.file,
      location.table === undefined ? undefined : `table '${location.table}'`,
      location.field === undefined ? undefined : `field '${location.field}'`,
    ]
      .filter((part) => part !== undefined)
      .join(', ');
    super(`${where}: ${problem}`);
    this.file = location.file;
    this.table = location.table;
    this.field = location.field;
  }
}

/** A table name that is not in the catalog. Not retryable. */
export class UnknownTableError extends Error {
  override readonly name = 'UnknownTableError';
  readonly table: string;
  readonly knownTables: readonly string[];

  constructor(table: string, knownTables: readonly string[]) {
    super(`unknown table '${table}'; the catalog has: ${knownTables.join(', ') || '(no tables)'}`);
    this.table = table;
    this.knownTables = knownTables;
  }
}

/**
 * The result does not fit the table: bad header, a row outside the hour, a duplicate key, a value PostgreSQL cannot
 * read. Nothing was changed. Not retryable: the same input fails the same way.
 */
export class ImportValidationError extends Error {
  override readonly name: string = 'ImportValidationError';
  readonly table: string;

  constructor(table: string, message: string, options?: ErrorOptions) {
    super(`${table}: ${message}`, options);
    this.table = table;
  }
}

/** A `replace-partition` import got an empty result and the table does not set `allowEmpty`. Not retryable. */
export class EmptyResultError extends ImportValidationError {
  override readonly name = 'EmptyResultError';
}

/**
 * The database failed in a way that may pass on retry: connection loss, serialization failure, deadlock, lock
 * timeout, shutdown. Nothing was changed (the transaction rolled back).
 */
export class ImportTransientError extends Error {
  override readonly name = 'ImportTransientError';
  /** The SQLSTATE or Node error code behind it, when there is one. */
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Every import slot of the table's weight is held by another import right now (the global cap on concurrent heavy
 * or light imports, held in Aurora as advisory locks). Nothing was written. Retryable: the import state machine
 * retries this name with a long backoff until a slot frees up.
 */
export class ImportSlotBusyError extends Error {
  override readonly name = 'ImportSlotBusyError';
  readonly table: string;
  readonly weight: 'heavy' | 'light';
  readonly slots: number;

  constructor(table: string, weight: 'heavy' | 'light', slots: number) {
    super(`${table}: all ${slots} ${weight} import slot${slots === 1 ? ' is' : 's are'} busy; retry when one frees up`);
    this.table = table;
    this.weight = weight;
    this.slots = slots;
  }
}

/**
 * The import stopped before its merge because the time left (the Lambda's remaining time less a margin) is below
 * the merge's estimated duration; the transaction rolled back, nothing was written. Retryable: a fresh invocation
 * has a whole time budget. When it keeps recurring the hour is too big for one Lambda (docs/reliability.md).
 */
export class ImportTimeBudgetError extends Error {
  override readonly name = 'ImportTimeBudgetError';
  readonly table: string;
  readonly remainingMs: number;
  readonly estimatedMergeMs: number;

  constructor(table: string, detail: { stagedRows: number; remainingMs: number; estimatedMergeMs: number }) {
    super(
      `${table}: stopped before the merge: ${detail.stagedRows} staged rows need an estimated ${detail.estimatedMergeMs} ms, ` +
        `only ${detail.remainingMs} ms of the time budget are left; nothing was written`,
    );
    this.table = table;
    this.remainingMs = detail.remainingMs;
    this.estimatedMergeMs = detail.estimatedMergeMs;
  }
}

/** Error names a state machine may retry. */
export const RETRYABLE_ERROR_NAMES: readonly string[] = [
  'ImportTransientError',
  'ImportSlotBusyError',
  'ImportTimeBudgetError',
];

/** The fields of a `pg` / PGlite DatabaseError that classification reads. */
interface DatabaseErrorFields {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly where?: unknown;
  readonly detail?: unknown;
  readonly column?: unknown;
}

/** SQLSTATEs that may succeed on retry. */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '57014', // query_canceled (statement_timeout)
]);

/** SQLSTATE classes that mean the input data is bad: data exceptions and integrity violations. */
const VALIDATION_SQLSTATE_CLASSES = new Set(['22', '23']);

/** Node/network error codes that mean the connection went away. */
const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const CONNECTION_LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error',
  'connection timeout',
  'timeout exceeded when trying to connect',
];

/** Already one of ours: pass through unchanged. */
function isTypedImportError(error: unknown): boolean {
  return (
    error instanceof ImportValidationError ||
    error instanceof ImportTransientError ||
    error instanceof ImportSlotBusyError ||
    error instanceof ImportTimeBudgetError ||
    error instanceof CatalogError ||
    error instanceof UnknownTableError
  );
}

/**
 * Maps a `pg`/PGlite error (or a network error) raised while importing `table` to a typed error:
 * data errors (SQLSTATE class 22, 23; COPY format errors) become `ImportValidationError` carrying the line and
 * column PostgreSQL reports; connection loss, 40001, 40P01, 55P03, 57P01 and class 08 become `ImportTransientError`.
 * Anything else is returned unchanged (a bug or a misconfiguration: let it surface as is).
 */
export function classifyDatabaseError(error: unknown, table: string): unknown {
  if (isTypedImportError(error) || !(error instanceof Error)) return error;
  const fields = error as DatabaseErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) {
    if (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08')) {
      return new ImportTransientError(`${table}: ${error.message} (SQLSTATE ${code})`, code, { cause: error });
    }
    if (VALIDATION_SQLSTATE_CLASSES.has(code.slice(0, 2))) {
      // `where` reads like: COPY import_staging, line 3, column plays: "abc"
      const where = typeof fields.where === 'string' ? fields.where.replace(/^COPY [a-z0-9_]+, /, '') : undefined;
      const column = typeof fields.column === 'string' ? `column ${fields.column}: ` : '';
      const detail = where ? ` (${where})` : '';
      return new ImportValidationError(table, `${column}${error.message}${detail} [SQLSTATE ${code}]`, {
        cause: error,
      });
    }
    return error;
  }
  if (
    (code !== undefined && TRANSIENT_NODE_CODES.has(code)) ||
    CONNECTION_LOST_MESSAGES.some((text) => error.message.includes(text))
  ) {
    return new ImportTransientError(`${table}: database connection lost: ${error.message}`, code, { cause: error });
  }
  return error;
}
