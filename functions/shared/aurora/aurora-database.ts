import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { LedgerSchema } from './ledger-table.ts';

/** What a bulk load reports. */
export interface CopyResult {
  /** Data rows loaded (the header is not counted). */
  readonly rows: number;
}

/** One open transaction: typed queries, and the bulk-load seam. */
export interface AuroraTransaction {
  /** Kysely bound to this transaction. */
  readonly db: Kysely<LedgerSchema>;
  /**
   * Streams CSV bytes (Athena format, header line included) into `COPY <table> FROM STDIN (FORMAT csv, HEADER
   * true)`. Rows are never parsed in JavaScript. `table` must be a catalog-checked identifier.
   */
  copyFrom(table: string, csv: Readable): Promise<CopyResult>;
}

/**
 * The Aurora port: PostgreSQL through `pg` + `pg-copy-streams` (`postgres-database.ts`, production), or PGlite
 * embedded (`local/aurora/pglite-database.ts`). Everything above `copyFrom` is shared.
 */
export interface AuroraDatabase {
  /** Which backend this is, for messages and benchmarks. */
  readonly kind: 'postgres' | 'pglite';
  /** Kysely for typed queries outside a transaction (do not use it inside `transaction`: use `tx.db`). */
  readonly db: Kysely<LedgerSchema>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws (the error rethrown). */
  transaction<T>(work: (tx: AuroraTransaction) => Promise<T>): Promise<T>;
  /** Closes the pool or the embedded database. */
  close(): Promise<void>;
}
