import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { formatHourWithPattern } from '../../functions/shared/catalog/athena-query.ts';
import type { ColumnSpec, SourceSpec, TableSpec } from '../../functions/shared/catalog/catalog-types.ts';
import type { Hour } from '../../functions/shared/hour.ts';

/** The bucket the EMR output (the Athena source tables) lives in, locally and by default. */
export const DEFAULT_SOURCE_BUCKET = 'aggregations-lake';

/**
 * Where the local Athena finds a source table's files. The data dir is the local S3 root (FolderObjectStore:
 * `s3://bucket/key` is `<dataDir>/bucket/key`), and a source table `database.table` lives under
 * `<dataDir>/<sourceBucket>/<database>/<table>/`, one folder per hour:
 *
 * - by default `hour=2026-11-27T10/part-0.parquet` (the hour is also a real `timestamp` column in the files; the
 *   folder name is only for people and for skipping existing hours);
 * - for a source with Hive-style partitions (`source.partitions`, e.g. `{"dt": "yyyy-MM-dd", "hr": "HH"}`)
 *   `dt=2026-11-27/hr=10/part-0.parquet`, one `name=value` level per partition column in catalog order; the files
 *   still hold the catalog's partition column (`hour`) as a real column.
 *
 * Files may be Parquet (`*.parquet`) or CSV (`*.csv`) in Athena's own CSV format (header row; `""` is the empty
 * string, an empty unquoted field is NULL; columns typed by the catalog); any number of them per hour.
 */
export interface LocalLakeLayout {
  /** Root of the local S3 folder. */
  readonly dataDir: string;
  /** Defaults to `aggregations-lake`. */
  readonly sourceBucket?: string;
}

/** The folder holding every file of a source table. */
export function sourceTableDirectory(layout: LocalLakeLayout, source: SourceSpec): string {
  return join(layout.dataDir, layout.sourceBucket ?? DEFAULT_SOURCE_BUCKET, source.database, source.table);
}

/** The relative folder of one hour in a source table: `hour=2026-11-27T10` or `dt=2026-11-27/hr=10`. */
export function hourPartitionPath(table: TableSpec, hour: Hour): string {
  const partitions = table.source.partitions;
  if (partitions === undefined) return `hour=${hour.text}`;
  return Object.entries(partitions)
    .map(
      ([column, pattern]) =>
        `${column}=${formatHourWithPattern(hour, pattern, `table '${table.name}' source.partitions.${column}`)}`,
    )
    .join('/');
}

/** The folder of one hour of a catalog table's source. */
export function hourPartitionDirectory(layout: LocalLakeLayout, table: TableSpec, hour: Hour): string {
  return join(sourceTableDirectory(layout, table.source), ...hourPartitionPath(table, hour).split('/'));
}

/** Which data file formats a folder holds anywhere below it. */
export async function dataFileFormats(directory: string): Promise<{ parquet: boolean; csv: boolean }> {
  const found = { parquet: false, csv: false };
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (found.parquet && found.csv) return;
      if (entry.isDirectory()) await walk(join(dir, entry.name));
      else if (entry.name.endsWith('.parquet')) found.parquet = true;
      else if (entry.name.endsWith('.csv')) found.csv = true;
    }
  };
  await walk(directory);
  return found;
}

/**
 * The DuckDB type of a catalog column as the Glue table would declare it: Athena has no `timestamptz` in Hive
 * tables and keeps JSON as `string`. A `numeric` without precision is `decimal(38, scale ?? 9)`.
 */
export function sourceColumnType(column: ColumnSpec): string {
  switch (column.type) {
    case 'smallint':
      return 'SMALLINT';
    case 'integer':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'numeric':
      return `DECIMAL(${column.precision ?? 38},${column.scale ?? (column.precision === undefined ? 9 : 0)})`;
    case 'real':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'text':
    case 'jsonb':
      return 'VARCHAR';
    case 'date':
      return 'DATE';
    case 'timestamp':
    case 'timestamptz':
      return 'TIMESTAMP';
  }
}
