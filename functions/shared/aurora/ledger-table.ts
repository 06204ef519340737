import type { ColumnType, Generated } from 'kysely';

/** Name of the ledger table: one row per import attempt outcome. */
export const LEDGER_TABLE = 'import_ledger';

export type LedgerStatus = 'succeeded' | 'failed' | 'skipped';

/** Kysely type of `import_ledger` (bigint columns come back as strings from `pg`, numbers from PGlite). */
export interface ImportLedgerTable {
  id: Generated<string>;
  table_name: string;
  hour: ColumnType<Date, Date | string, never>;
  /** Identifier of the source data (EMR step id, 'manual'), or null. */
  source: string | null;
  attempt: number;
  status: LedgerStatus;
  rows_inserted: ColumnType<string | number, number, never>;
  rows_updated: ColumnType<string | number, number, never>;
  rows_deleted: ColumnType<string | number, number, never>;
  bytes: ColumnType<string | number, number, never>;
  duration_ms: number;
  query_execution_id: string | null;
  execution_arn: string | null;
  error_name: string | null;
  error_message: string | null;
  started_at: ColumnType<Date, Date, never>;
  finished_at: ColumnType<Date, Date, never>;
}

/** The tables every database has, whatever the catalog. */
export interface LedgerSchema {
  import_ledger: ImportLedgerTable;
}
