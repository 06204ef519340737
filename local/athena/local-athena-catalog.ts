import type { DuckDBConnection } from '@duckdb/node-api';
import { checkedIdentifier, quoteIdentifier } from '../../functions/shared/catalog/athena-query.ts';
import type { Catalog, SourceSpec, TableSpec } from '../../functions/shared/catalog/catalog-types.ts';
import type { LocalLakeLayout } from './local-lake.ts';
import { dataFileFormats, sourceColumnType, sourceTableDirectory } from './local-lake.ts';

/** A source table the local Athena has registered as a DuckDB view. */
export interface RegisteredSource {
  readonly database: string;
  readonly table: string;
  readonly directory: string;
}

/**
 * The local stand-in for the Glue Data Catalog: every catalog source `database.table` becomes the DuckDB view
 * `"database"."table"` (in a DuckDB schema named like the Athena database) over its files in the local lake (see
 * `LocalLakeLayout`), so the Athena SQL from `buildAthenaQuery` runs unchanged. A source with no files at all gets
 * no view, so querying it fails like Athena's TABLE_NOT_FOUND; it is looked for again before every query.
 */
export class LocalAthenaCatalog {
  readonly #layout: LocalLakeLayout;
  readonly #sources = new Map<string, TableSpec>();
  readonly #registered = new Map<string, RegisteredSource>();
  #refreshing: Promise<void> = Promise.resolve();

  constructor(catalog: Catalog, layout: LocalLakeLayout) {
    this.#layout = layout;
    for (const table of catalog.tables) {
      const key = sourceKey(table.source);
      if (!this.#sources.has(key)) this.#sources.set(key, table);
    }
  }

  /** The Athena databases the catalog names. */
  get databases(): string[] {
    return [...new Set([...this.#sources.values()].map((table) => table.source.database))];
  }

  /** Registers views for sources that now have files (serialised: concurrent queries share one refresh). */
  refresh(connection: DuckDBConnection): Promise<void> {
    const next = this.#refreshing.then(() => this.#refreshNow(connection));
    this.#refreshing = next.catch(() => undefined);
    return next;
  }

  /** Forgets a view whose files vanished, so the next refresh looks again. */
  async forget(connection: DuckDBConnection, source: { database: string; table: string }): Promise<void> {
    const key = `${source.database}.${source.table}`;
    if (!this.#registered.delete(key)) return;
    await connection.run(`DROP VIEW IF EXISTS ${quoteIdentifier(source.database)}.${quoteIdentifier(source.table)}`);
  }

  /** The registered source whose folder a path lies in (to name the table in "no files" errors). */
  sourceOfPath(path: string): RegisteredSource | undefined {
    return [...this.#registered.values()].find((source) => path.startsWith(source.directory));
  }

  async #refreshNow(connection: DuckDBConnection): Promise<void> {
    for (const database of this.databases) {
      await connection.run(
        `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(checkedIdentifier(database, 'source.database'))}`,
      );
    }
    for (const [key, table] of this.#sources) {
      if (this.#registered.has(key)) continue;
      const directory = sourceTableDirectory(this.#layout, table.source);
      const formats = await dataFileFormats(directory);
      if (!formats.parquet && !formats.csv) continue;
      await connection.run(viewSql(table, directory, formats));
      this.#registered.set(key, { database: table.source.database, table: table.source.table, directory });
    }
  }
}

function viewSql(table: TableSpec, directory: string, formats: { parquet: boolean; csv: boolean }): string {
  const what = `table '${table.name}'`;
  const partitions = Object.keys(table.source.partitions ?? {}).map((column) =>
    checkedIdentifier(column, `${what} source.partitions key`),
  );
  // Hive partition values stay strings, as in a Glue table with `string` partition keys; without partitions the
  // `hour=...` folder must not be read as a column (it would clash with the real `hour` column).
  const hive =
    partitions.length === 0
      ? 'hive_partitioning = false'
      : `hive_partitioning = true, hive_types = {${partitions.map((column) => `'${column}': VARCHAR`).join(', ')}}, hive_types_autocast = false`;
  const scans: string[] = [];
  if (formats.parquet)
    scans.push(`SELECT * FROM read_parquet(${literal(`${directory}/**/*.parquet`)}, ${hive}, union_by_name = true)`);
  if (formats.csv) {
    const types = table.columns
      .filter((column) => !partitions.includes(column.name))
      .map((column) => `'${checkedIdentifier(column.name, `${what} column`)}': '${sourceColumnType(column)}'`);
    scans.push(
      `SELECT * FROM read_csv(${literal(`${directory}/**/*.csv`)}, header = true, allow_quoted_nulls = false, ${hive}, union_by_name = true, types = {${types.join(', ')}})`,
    );
  }
  const database = checkedIdentifier(table.source.database, `${what} source.database`);
  const name = checkedIdentifier(table.source.table, `${what} source.table`);
  return `CREATE OR REPLACE VIEW ${quoteIdentifier(database)}.${quoteIdentifier(name)} AS ${scans.join(' UNION ALL BY NAME ')}`;
}

function sourceKey(source: SourceSpec): string {
  return `${source.database}.${source.table}`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
