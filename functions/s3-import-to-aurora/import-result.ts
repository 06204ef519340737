import { type Kysely, sql } from 'kysely';
import type { AuroraDatabase } from '../shared/aurora/aurora-database.ts';
import { acquireImportSlot, slotCount } from '../shared/aurora/import-slots.ts';
import { hasSucceeded, lockTableHour, writeLedgerEntry } from '../shared/aurora/ledger.ts';
import { createStagingTable, STAGING_TABLE } from '../shared/aurora/table-ddl.ts';
import type { Catalog, TableSpec } from '../shared/catalog/catalog-types.ts';
import type { DynamicTargetDatabase } from '../shared/catalog/kysely-types.ts';
import { findTable } from '../shared/catalog/load-catalog.ts';
import {
  classifyDatabaseError,
  EmptyResultError,
  ImportSlotBusyError,
  ImportTransientError,
  ImportValidationError,
} from '../shared/errors.ts';
import { type Hour, InvalidHourError, parseHour } from '../shared/hour.ts';
import type { ObjectLocation, ObjectStore } from '../shared/ports/object-store.ts';
import { readCsvHeader } from './csv-header.ts';
import {
  deleteAbsentRows,
  findDuplicateKey,
  findRowOutsideHour,
  type KeyValues,
  mergeStaging,
} from './merge-statements.ts';
import { checkMergeBudget } from './merge-time-budget.ts';

/** What to import: one Athena result object into one table for one hour. */
export interface ImportRequest {
  readonly catalog: Catalog;
  readonly database: AuroraDatabase;
  readonly objectStore: ObjectStore;
  readonly table: string;
  /** `2026-11-27T10`, or an already parsed hour. */
  readonly hour: string | Hour;
  readonly resultLocation: ObjectLocation;
  readonly queryExecutionId: string;
  readonly executionArn?: string | undefined;
  /**
   * Identifier of the source data (EMR step id, 'manual'); a succeeded import of the same source is skipped. Absent
   * (a manual run, a backfill): a succeeded import of any source is skipped.
   */
  readonly source?: string | undefined;
  /** Import even when the ledger says this (table, hour, source) already succeeded. */
  readonly force?: boolean | undefined;
  /**
   * Milliseconds the import may take (the Lambda's remaining time less a margin). Each statement runs with a
   * `statement_timeout` of what is left, so the import fails as `ImportTransientError` (and rolls back) before the
   * caller kills it mid-transaction. Undefined: no limit.
   */
  readonly timeBudgetMs?: number | undefined;
  /**
   * Heavy imports Aurora may run at once across every orchestration (default 1): slots held as advisory locks in
   * the database, so a second orchestration (a late EMR step, a backfill) waits its turn; see `import-slots.ts`.
   */
  readonly heavySlots?: number | undefined;
  /** Light imports Aurora may run at once across every orchestration (default 4). */
  readonly lightSlots?: number | undefined;
  /**
   * Conservative merge speed used to decide, before the merge, whether the time budget can still cover it
   * (default `DEFAULT_MERGE_ROWS_PER_SECOND`). Only read when `timeBudgetMs` is set.
   */
  readonly mergeRowsPerSecond?: number | undefined;
}

/** What an import did (also the Lambda's output). */
export interface ImportSummary {
  readonly table: string;
  readonly hour: string;
  readonly status: 'succeeded' | 'skipped';
  readonly rowsInserted: number;
  readonly rowsUpdated: number;
  readonly rowsDeleted: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly queryExecutionId: string;
  readonly executionArn?: string;
  /** Why a skipped import was skipped. */
  readonly reason?: string;
}

function formatKey(key: KeyValues): string {
  return Object.entries(key)
    .map(([column, value]) => `${column}=${JSON.stringify(value)}`)
    .join(', ');
}

function parseRequestHour(table: string, hour: string | Hour): Hour {
  if (typeof hour !== 'string') return hour;
  try {
    return parseHour(hour);
  } catch (error) {
    if (error instanceof InvalidHourError) throw new ImportValidationError(table, error.message, { cause: error });
    throw error;
  }
}

/** Header names must equal the catalog's columns, in order (Athena's SELECT lists them in catalog order). */
function checkHeader(table: TableSpec, found: readonly string[]): void {
  const expected = table.columns.map((column) => column.name);
  if (found.length === 0)
    throw new ImportValidationError(
      table.name,
      `the result object is empty: no header line (expected ${expected.join(', ')})`,
    );
  if (found.length !== expected.length || found.some((name, i) => name !== expected[i])) {
    const missing = expected.filter((name) => !found.includes(name));
    const unexpected = found.filter((name) => !expected.includes(name));
    const hints = [
      missing.length > 0 ? `missing: ${missing.join(', ')}` : undefined,
      unexpected.length > 0 ? `unexpected: ${unexpected.join(', ')}` : undefined,
      missing.length === 0 && unexpected.length === 0 ? 'same names, different order' : undefined,
    ].filter(Boolean);
    throw new ImportValidationError(
      table.name,
      `the CSV header does not match the catalog's columns: expected (${expected.join(', ')}), found (${found.join(', ')}); ${hints.join('; ')}`,
    );
  }
}

function duplicateKeyError(table: TableSpec, duplicate: { key: KeyValues; count: number }): ImportValidationError {
  return new ImportValidationError(
    table.name,
    `duplicate primary key (${table.primaryKey.join(', ')}): ${formatKey(duplicate.key)} appears ${duplicate.count} times`,
  );
}

/**
 * Merges staging into the target and proves no key was staged twice, without paying a GROUP BY on every import:
 * PostgreSQL itself refuses a key that hits one row twice in the merge (SQLSTATE 21000), and when every staged row
 * was inserted or updated, each hit a different row, so the keys were unique. Only when some rows changed nothing
 * (or the key-only table ignored them) does the explicit duplicate query run. Either way the offending key is named.
 */
async function mergeCheckingKeys(
  db: Kysely<DynamicTargetDatabase>,
  table: TableSpec,
  stagedRows: number,
): Promise<{ inserted: number; updated: number }> {
  await sql`savepoint import_merge`.execute(db);
  let merged: { inserted: number; updated: number };
  try {
    merged = await mergeStaging(db, table);
  } catch (error) {
    if ((error as { code?: unknown }).code !== '21000') throw error;
    await sql`rollback to savepoint import_merge`.execute(db);
    const duplicate = await findDuplicateKey(db, table);
    throw duplicate ? duplicateKeyError(table, duplicate) : error;
  }
  if (merged.inserted + merged.updated < stagedRows) {
    const duplicate = await findDuplicateKey(db, table);
    if (duplicate) throw duplicateKeyError(table, duplicate);
  }
  return merged;
}

/**
 * Imports one Athena result CSV into its target table: streams the object into COPY, checks the hour and the keys in
 * SQL, merges with one statement, and writes the ledger row, all in one transaction. In that transaction, first the
 * (table, hour) lock (concurrent imports of one hour run one after the other; the later one finds the ledger row and
 * is skipped), then the ledger check, then an import slot of the table's weight (`import-slots.ts`) before any write.
 * On any failure the target and the ledger are as before; then a 'failed' ledger row is written (best effort; not for
 * a busy slot) and a typed error is thrown (`ImportValidationError`, `EmptyResultError`, `ImportTransientError`,
 * `ImportSlotBusyError`, `ImportTimeBudgetError`, `UnknownTableError`, `ObjectNotFoundError`).
 */
export async function importResult(request: ImportRequest): Promise<ImportSummary> {
  const table = findTable(request.catalog, request.table);
  const hour = parseRequestHour(table.name, request.hour);
  const slots = slotCount(table.weight, request);
  const startedAt = new Date();
  const started = performance.now();
  const { database } = request;
  const common = {
    table: table.name,
    hour,
    source: request.source,
    queryExecutionId: request.queryExecutionId,
    executionArn: request.executionArn,
    startedAt,
  };
  let bytes = 0;
  try {
    const object = await request.objectStore.getObject(request.resultLocation);
    const csv = await readCsvHeader(object.body).catch((error: unknown) => {
      throw new ImportValidationError(table.name, (error as Error).message, { cause: error });
    });
    try {
      checkHeader(table, csv.columns);
    } catch (error) {
      csv.body.destroy();
      throw error;
    }
    return await database.transaction(async (tx) => {
      const db = tx.db as unknown as Kysely<DynamicTargetDatabase>;
      // Athena prints timestamps without a zone, and they are UTC.
      await sql`set local timezone = 'UTC'`.execute(db);
      await lockTableHour(tx.db, table.name, hour);
      if (!request.force && (await hasSucceeded(tx.db, table.name, hour, request.source))) {
        csv.body.destroy();
        const durationMs = Math.round(performance.now() - started);
        await writeLedgerEntry(tx.db, { ...common, status: 'skipped', durationMs, finishedAt: new Date() });
        return {
          ...summary(request, hour, 'skipped', { inserted: 0, updated: 0, deleted: 0 }, 0, durationMs),
          reason: `${table.name} ${hour.text} was already imported${request.source ? ` from source ${request.source}` : ''} (an earlier or concurrent import)`,
        };
      }
      // The global cap on concurrent imports, taken before the first write and held until COMMIT or ROLLBACK.
      try {
        await acquireImportSlot(tx.db, table.name, table.weight, slots);
      } catch (error) {
        csv.body.destroy();
        throw error;
      }
      const limitStatements = async () => {
        if (request.timeBudgetMs === undefined) return;
        const left = Math.floor(request.timeBudgetMs - (performance.now() - started));
        if (left <= 0)
          throw new ImportTransientError(
            `${table.name}: the import's time budget of ${request.timeBudgetMs} ms is spent`,
            '57014',
          );
        await sql`set local statement_timeout = ${sql.lit(left)}`.execute(db);
      };
      await limitStatements();
      await createStagingTable(db as unknown as Kysely<unknown>, table);
      const copied = await tx.copyFrom(STAGING_TABLE, csv.body);
      bytes = csv.bytesRead();
      if (copied.rows === 0 && table.mode === 'replace-partition' && !table.allowEmpty)
        throw new EmptyResultError(
          table.name,
          `the result for ${hour.text} has no rows; replace-partition refuses to empty an hour unless the table sets allowEmpty`,
        );
      const outside = await findRowOutsideHour(db, table, hour);
      if (outside)
        throw new ImportValidationError(
          table.name,
          `a row does not belong to hour ${hour.text}: ${formatKey(outside)} (${table.partitionColumn} must be ${hour.text}:00:00 UTC)`,
        );
      if (request.timeBudgetMs !== undefined)
        checkMergeBudget(table.name, {
          stagedRows: copied.rows,
          remainingMs: Math.floor(request.timeBudgetMs - (performance.now() - started)),
          rowsPerSecond: request.mergeRowsPerSecond,
        });
      const deleted = table.mode === 'replace-partition' ? await deleteAbsentRows(db, table, hour) : 0;
      await limitStatements();
      const { inserted, updated } = await mergeCheckingKeys(db, table, copied.rows);
      const durationMs = Math.round(performance.now() - started);
      await writeLedgerEntry(tx.db, {
        ...common,
        status: 'succeeded',
        rowsInserted: inserted,
        rowsUpdated: updated,
        rowsDeleted: deleted,
        bytes,
        durationMs,
        finishedAt: new Date(),
      });
      return summary(request, hour, 'succeeded', { inserted, updated, deleted }, bytes, durationMs);
    });
  } catch (caught) {
    const error = classifyDatabaseError(caught, table.name);
    // A busy slot is a wait for a turn, not an attempt: the ledger would fill with one row per retry.
    if (error instanceof ImportSlotBusyError) throw error;
    await recordFailure(database, {
      ...common,
      bytes,
      durationMs: performance.now() - started,
      error,
    });
    throw error;
  }
}

function summary(
  request: ImportRequest,
  hour: Hour,
  status: ImportSummary['status'],
  rows: { inserted: number; updated: number; deleted: number },
  bytes: number,
  durationMs: number,
): ImportSummary {
  return {
    table: request.table,
    hour: hour.text,
    status,
    rowsInserted: rows.inserted,
    rowsUpdated: rows.updated,
    rowsDeleted: rows.deleted,
    bytes,
    durationMs,
    queryExecutionId: request.queryExecutionId,
    ...(request.executionArn ? { executionArn: request.executionArn } : {}),
  };
}

/** Writes the 'failed' ledger row in a transaction of its own; a failure to do so must not hide the import's error. */
async function recordFailure(
  database: AuroraDatabase,
  entry: {
    table: string;
    hour: Hour;
    source: string | undefined;
    queryExecutionId: string;
    executionArn: string | undefined;
    startedAt: Date;
    bytes: number;
    durationMs: number;
    error: unknown;
  },
): Promise<void> {
  const error = entry.error instanceof Error ? entry.error : new Error(String(entry.error));
  try {
    await database.transaction((tx) =>
      writeLedgerEntry(tx.db, {
        ...entry,
        status: 'failed',
        errorName: error.name,
        errorMessage: error.message.slice(0, 4000),
        finishedAt: new Date(),
      }),
    );
  } catch {
    // Best effort: the database may be the thing that failed.
  }
}
