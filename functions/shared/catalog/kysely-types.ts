import type { Catalog, ColumnSpec, ColumnType, TableSpec } from './catalog-types.ts';

/**
 * The TypeScript type a catalog column reads as through `pg` (int8 and numeric come back as strings so no precision
 * is lost; timestamps and dates as `Date`; jsonb parsed).
 */
export interface ColumnValueTypes {
  smallint: number;
  integer: number;
  bigint: string;
  numeric: string;
  real: number;
  double: number;
  boolean: boolean;
  text: string;
  date: Date;
  timestamp: Date;
  timestamptz: Date;
  jsonb: unknown;
}

/** The value type of one column, `| null` when nullable. */
export type ColumnValue<C extends ColumnSpec> = C['nullable'] extends true
  ? ColumnValueTypes[C['type']] | null
  : ColumnValueTypes[C['type']];

/** The Kysely row type of one target table, from its spec (declare the catalog `as const` to get precise types). */
export type TargetRow<T extends TableSpec> = {
  [C in T['columns'][number] as C['name']]: ColumnValue<C>;
};

/** The Kysely database type of a whole catalog: table name → row type. */
export type TargetDatabase<C extends Catalog> = {
  [T in C['tables'][number] as T['name']]: TargetRow<T>;
};

/**
 * The same, for a catalog only known at run time (loaded from JSON): any table, any column. Queries built over it
 * take their identifiers from a validated `Catalog` only.
 */
export type DynamicTargetDatabase = Record<string, Record<string, unknown>>;

/** The PostgreSQL type of a catalog column, e.g. `numeric(18, 4)`, `double precision`. */
export function postgresType(column: Pick<ColumnSpec, 'type' | 'precision' | 'scale'>): string {
  const base: Record<ColumnType, string> = {
    smallint: 'smallint',
    integer: 'integer',
    bigint: 'bigint',
    numeric: 'numeric',
    real: 'real',
    double: 'double precision',
    boolean: 'boolean',
    text: 'text',
    date: 'date',
    timestamp: 'timestamp',
    timestamptz: 'timestamptz',
    jsonb: 'jsonb',
  };
  if (column.type === 'numeric' && column.precision !== undefined)
    return `numeric(${column.precision}, ${column.scale ?? 0})`;
  return base[column.type];
}
