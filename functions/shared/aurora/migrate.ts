import { type Kysely, sql } from 'kysely';
import type { Catalog } from '../catalog/catalog-types.ts';
import type { AuroraDatabase } from './aurora-database.ts';
import { LEDGER_TABLE } from './ledger-table.ts';
import { createTargetTable } from './table-ddl.ts';

/** Advisory lock key that serializes concurrent migrations (two Lambdas cold-starting at once). */
const MIGRATION_LOCK_KEY = 7_263_101;

/**
 * Creates the ledger and every catalog table that does not exist yet. Idempotent and safe to run concurrently.
 * It never alters an existing table: a column added to the catalog later needs a migration of its own.
 */
export async function migrate(database: AuroraDatabase, catalog: Catalog): Promise<void> {
  await database.transaction(async (tx) => {
    const db = tx.db as unknown as Kysely<unknown>;
    await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(db);
    await createLedgerTable(db);
    for (const table of catalog.tables) await createTargetTable(db, table);
  });
}

async function createLedgerTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable(LEDGER_TABLE)
    .ifNotExists()
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('table_name', 'text', (col) => col.notNull())
    .addColumn('hour', 'timestamptz', (col) => col.notNull())
    .addColumn('source', 'text')
    .addColumn('attempt', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('succeeded', 'failed', 'skipped')`))
    .addColumn('rows_inserted', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('rows_updated', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('rows_deleted', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('bytes', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('duration_ms', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('query_execution_id', 'text')
    .addColumn('execution_arn', 'text')
    .addColumn('error_name', 'text')
    .addColumn('error_message', 'text')
    .addColumn('started_at', 'timestamptz', (col) => col.notNull())
    .addColumn('finished_at', 'timestamptz', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('import_ledger_table_hour')
    .ifNotExists()
    .on(LEDGER_TABLE)
    .columns(['table_name', 'hour', 'status'])
    .execute();
}
