/**
 * The table catalog (design.md section 4): which aggregations exist, where Athena reads them, and how each lands in
 * Aurora. The JSON Schema is `schemas/catalog.schema.json`; `load-catalog.ts` validates a file against both the
 * schema and the cross-field rules, so a `Catalog` value is always valid.
 */

/** Column types the catalog knows, each mapping to one PostgreSQL type. */
export type ColumnType =
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'numeric'
  | 'real'
  | 'double'
  | 'boolean'
  | 'text'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'jsonb';

export const COLUMN_TYPES: readonly ColumnType[] = [
  'smallint',
  'integer',
  'bigint',
  'numeric',
  'real',
  'double',
  'boolean',
  'text',
  'date',
  'timestamp',
  'timestamptz',
  'jsonb',
];

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  /** Only for `numeric`. */
  readonly precision?: number;
  readonly scale?: number;
  /** Columns are NOT NULL unless this is true. */
  readonly nullable?: boolean;
}

export interface SourceSpec {
  /** Glue/Athena database. */
  readonly database: string;
  /** Glue/Athena table. */
  readonly table: string;
  /**
   * Hive-style string partitions: source partition column → the format of the hour in it, e.g.
   * `{ "dt": "yyyy-MM-dd", "hr": "HH" }`. Absent: the query filters on `partitionColumn = TIMESTAMP '…'`.
   */
  readonly partitions?: Readonly<Record<string, string>>;
}

export type TableWeight = 'heavy' | 'light';
export type ImportMode = 'upsert' | 'replace-partition';

export interface TableSpec {
  /** Target table name in Aurora (and the name used everywhere else). */
  readonly name: string;
  readonly source: SourceSpec;
  /** The column holding the hour; it is part of the primary key. */
  readonly partitionColumn: string;
  readonly columns: readonly ColumnSpec[];
  readonly primaryKey: readonly string[];
  readonly weight: TableWeight;
  readonly mode: ImportMode;
  /** Only meaningful with `replace-partition`: an empty result may wipe the hour. */
  readonly allowEmpty?: boolean;
  /** EMR step name that produces the table: exact, or with `*` wildcards. */
  readonly producedBy: string;
}

export interface Catalog {
  readonly tables: readonly TableSpec[];
}

/** Identifiers must match this before they may reach SQL (design.md section 4). */
export const IDENTIFIER_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
