import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { AuroraDatabase } from '../../functions/shared/aurora/aurora-database.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { parseCatalog } from '../../functions/shared/catalog/load-catalog.ts';
import { FolderObjectStore } from '../../local/s3/folder-object-store.ts';

/** Tables covering every column type, both modes, allowEmpty, and a key-only table. */
export const TEST_CATALOG: Catalog = parseCatalog(
  {
    tables: [
      {
        name: 'edge_cases',
        source: { database: 'aggregations', table: 'edge_cases' },
        partitionColumn: 'hour',
        columns: [
          { name: 'id', type: 'bigint' },
          { name: 'hour', type: 'timestamptz' },
          { name: 'label', type: 'text', nullable: true },
          { name: 'small', type: 'smallint' },
          { name: 'count', type: 'integer' },
          { name: 'amount', type: 'numeric', precision: 20, scale: 6 },
          { name: 'ratio', type: 'real', nullable: true },
          { name: 'score', type: 'double' },
          { name: 'flag', type: 'boolean' },
          { name: 'seen_local', type: 'timestamp', nullable: true },
          { name: 'seen_at', type: 'timestamptz', nullable: true },
          { name: 'day', type: 'date' },
          { name: 'doc', type: 'jsonb', nullable: true },
        ],
        primaryKey: ['id', 'hour'],
        weight: 'heavy',
        mode: 'upsert',
        producedBy: 'hourly-aggregations',
      },
      {
        name: 'replaced',
        source: { database: 'aggregations', table: 'replaced' },
        partitionColumn: 'hour',
        columns: [
          { name: 'term', type: 'text' },
          { name: 'hour', type: 'timestamptz' },
          { name: 'searches', type: 'integer' },
        ],
        primaryKey: ['term', 'hour'],
        weight: 'light',
        mode: 'replace-partition',
        producedBy: 'hourly-aggregations',
      },
      {
        name: 'replaced_may_empty',
        source: { database: 'aggregations', table: 'replaced_may_empty' },
        partitionColumn: 'hour',
        columns: [
          { name: 'term', type: 'text' },
          { name: 'hour', type: 'timestamp' },
          { name: 'searches', type: 'integer' },
        ],
        primaryKey: ['term', 'hour'],
        weight: 'light',
        mode: 'replace-partition',
        allowEmpty: true,
        producedBy: 'hourly-aggregations',
      },
      {
        name: 'key_only',
        source: { database: 'aggregations', table: 'key_only' },
        partitionColumn: 'hour',
        columns: [
          { name: 'term', type: 'text' },
          { name: 'hour', type: 'timestamptz' },
        ],
        primaryKey: ['term', 'hour'],
        weight: 'light',
        mode: 'upsert',
        producedBy: 'hourly-aggregations',
      },
    ],
  },
  'test-catalog.json',
);

export const EDGE_HEADER =
  '"id","hour","label","small","count","amount","ratio","score","flag","seen_local","seen_at","day","doc"';

/** Athena-format rows for edge_cases, hour 2026-11-27T10 (line 2..4 of the file). */
export const EDGE_ROWS = [
  // NULL label (unquoted empty), big integer, numeric with full scale, zone-less and zoned timestamps, jsonb.
  '"9223372036854775807","2026-11-27 10:00:00.000",,"-32768","2147483647","12345678901234.123456","0.5","1.0E-7","true","2026-11-27 10:15:30.123","2026-11-27 10:15:30.123 UTC","2026-11-27","{""a"":[1,""x""],""b"":null}"',
  // Empty string (quoted), quotes, comma and newline inside a value, unicode; numeric rounded to scale 6.
  '"2","2026-11-27 10:00:00.000","","0","0","1.1234567",,"-2.5","false",,,"2026-01-01",',
  '"3","2026-11-27 10:00:00.000","say ""hi"", then\nleave — ünïcødé ☕ 𝄞","7","42","-0.000001","3.25","1e300","true","2026-11-27 10:59:59.999","2026-11-27 12:00:00.000 +02:00","2026-11-27","[]"',
];

export function csv(header: string, rows: readonly string[]): string {
  return `${header}\n${rows.map((row) => `${row}\n`).join('')}`;
}

/** A folder-backed object store in a fresh temporary directory. */
export async function createTestObjectStore(): Promise<FolderObjectStore> {
  return new FolderObjectStore(await mkdtemp(join(tmpdir(), 'import-s3-')));
}

/** Every row of a table as JSON text (timestamps in UTC), ordered, for exact comparisons across backends. */
export async function tableRows(database: AuroraDatabase, table: string): Promise<string[]> {
  return database.transaction(async (tx) => {
    await sql`set local timezone = 'UTC'`.execute(tx.db);
    const result = await sql<{
      row: string;
    }>`select row_to_json(t)::text as row from ${sql.table(table)} t order by 1`.execute(tx.db);
    return result.rows.map((row) => row.row);
  });
}

/** The ledger as (table, status, error_name, counts) tuples, oldest first. */
export async function ledgerRows(database: AuroraDatabase): Promise<string[]> {
  const result = await sql<{
    row: string;
  }>`select concat_ws(' ', table_name, to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24'), coalesce(source, '-'), attempt, status, rows_inserted, rows_updated, rows_deleted, coalesce(error_name, '-')) as row from import_ledger order by id`.execute(
    database.db,
  );
  return result.rows.map((row) => row.row);
}

/** Everything an import may touch: all target tables and the ledger's succeeded/skipped rows. */
export async function snapshot(database: AuroraDatabase): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const table of TEST_CATALOG.tables) result[table.name] = await tableRows(database, table.name);
  result.ledger = (await ledgerRows(database)).filter((row) => !row.includes(' failed '));
  return result;
}
