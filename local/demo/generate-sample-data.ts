import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Catalog, ColumnSpec, TableSpec } from '../../functions/shared/catalog/catalog-types.ts';
import { IDENTIFIER_PATTERN } from '../../functions/shared/catalog/catalog-types.ts';
import type { Hour } from '../../functions/shared/hour.ts';
import { hourTimestampText } from '../../functions/shared/hour.ts';
import type { LocalLakeLayout } from '../athena/local-lake.ts';
import { dataFileFormats, hourPartitionDirectory, sourceColumnType } from '../athena/local-lake.ts';

export interface GenerateSampleDataOptions extends LocalLakeLayout {
  readonly catalog: Catalog;
  readonly hour: Hour;
  /** Multiplies every table's row count (default 1: heavy tables 150,000 rows, light ones 5,000–30,000). */
  readonly scale?: number;
  /** Only these catalog tables (by name); default all. */
  readonly tables?: readonly string[];
  /** A DuckDB instance to use (the caller closes it); by default a short-lived in-memory one. */
  readonly instance?: DuckDBInstance;
}

export interface GeneratedTable {
  readonly table: string;
  readonly rows: number;
  /** The Parquet file written. */
  readonly file: string;
}

export interface GenerateSampleDataResult {
  readonly generated: readonly GeneratedTable[];
  /** Tables whose hour already had files: left as they were. */
  readonly skipped: readonly string[];
}

/** Rows per table at scale 1. */
export const HEAVY_ROWS = 150_000;
export const LIGHT_MIN_ROWS = 5_000;
export const LIGHT_MAX_ROWS = 30_000;

/**
 * Writes realistic sample EMR output for one hour for every catalog table: one Parquet file per table in the local
 * lake layout (see `LocalLakeLayout`), so the local Athena can query it. Deterministic per hour and table (every
 * value is a hash of the hour, the table, the column and the row number), consistent with the catalog types
 * (numerics within precision and scale, nullable columns sometimes NULL, text now and then with commas, quotes,
 * newlines, unicode or empty, jsonb as JSON objects), unique by primary key. A table whose hour already has files is
 * skipped, never overwritten.
 */
export async function generateSampleData(options: GenerateSampleDataOptions): Promise<GenerateSampleDataResult> {
  const scale = options.scale ?? 1;
  if (!(scale > 0 && Number.isFinite(scale)))
    throw new Error(`sample data scale must be a positive number, got ${scale}`);
  const wanted = options.tables;
  const unknown = wanted?.filter((name) => !options.catalog.tables.some((table) => table.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown catalog table(s): ${unknown.join(', ')}`);
  const tables = options.catalog.tables.filter((table) => wanted === undefined || wanted.includes(table.name));

  const instance = options.instance ?? (await DuckDBInstance.create(':memory:'));
  const connection = await instance.connect();
  const generated: GeneratedTable[] = [];
  const skipped: string[] = [];
  try {
    for (const table of tables) {
      const directory = hourPartitionDirectory(options, table, options.hour);
      const existing = await dataFileFormats(directory);
      if (existing.parquet || existing.csv) {
        skipped.push(table.name);
        continue;
      }
      const rows = Math.max(1, Math.round(baseRows(table) * scale));
      await mkdir(directory, { recursive: true });
      const file = join(directory, 'part-0.parquet');
      const temporary = `${file}.${process.pid}.tmp`;
      const select = sampleSelect(table, options.hour, rows);
      await connection.run(
        `COPY (${select}) TO '${temporary.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`,
      );
      await rename(temporary, file);
      generated.push({ table: table.name, rows, file });
    }
  } finally {
    connection.closeSync();
    if (options.instance === undefined) instance.closeSync();
  }
  return { generated, skipped };
}

function baseRows(table: TableSpec): number {
  if (table.weight === 'heavy') return HEAVY_ROWS;
  return LIGHT_MIN_ROWS + (stableHash(table.name) % (LIGHT_MAX_ROWS - LIGHT_MIN_ROWS + 1));
}

/**
 * FNV-1a: the seed of a table's hour, the same everywhere. Values then come from DuckDB's `hash(row, seed, column)`,
 * stable for the DuckDB version package-lock.json pins (a DuckDB upgrade may change the sample values, never their
 * shape).
 */
function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Small domains for key columns, chosen by name; values include the awkward characters real data has. */
const KEY_DOMAINS: Record<string, readonly string[]> = {
  country: ['US', 'GB', 'DE', 'FR', 'BR', 'IN', 'JP', 'MX', 'CA', 'AU', 'ES', 'IT', 'NL', 'SE', 'KR', 'ZA'],
  device: ['tv', 'mobile', 'tablet', 'web', 'console', 'set-top box, legacy'],
  currency: ['USD', 'EUR', 'GBP', 'JPY', 'BRL'],
  placement: ['pre-roll', 'mid-roll', 'banner', 'home "hero"', 'search, top'],
  device_model: [
    'Pixel 8',
    'iPhone 15',
    'Galaxy S24, Ultra',
    'Fire TV "Cube"',
    'Bravia XR',
    'Škoda Infotainment',
    '小米电视',
  ],
};
const DEFAULT_TEXT_DOMAIN = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];
const SMALLINT_KEY_DOMAIN = 40;

function sampleSelect(table: TableSpec, hour: Hour, rows: number): string {
  const seed = stableHash(`${hour.text}/${table.name}`);
  const keyColumns = table.primaryKey.filter((name) => name !== table.partitionColumn);
  // Mixed radix over the key columns: every key column but the first takes a small domain, the first the quotient,
  // so row i has a unique key.
  const radices = keyColumns.slice(1).map((name) => domainSize(columnOf(table, name)));
  const expressions = table.columns.map((column) => {
    const name = checked(column.name, table);
    const keyIndex = keyColumns.indexOf(column.name);
    let expression: string;
    if (column.name === table.partitionColumn) expression = `TIMESTAMP '${hourTimestampText(hour)}'`;
    else if (keyIndex >= 0) {
      const below = radices.slice(keyIndex).reduce((product, radix) => product * radix, 1);
      const digit = keyIndex === 0 ? `(i // ${below})` : `((i // ${below}) % ${radices[keyIndex - 1]})`;
      expression = keyValue(column, digit, keyIndex === 0);
    } else expression = valueExpression(column, table, hour, seed);
    return `CAST(${expression} AS ${sourceColumnType(column)}) AS "${name}"`;
  });
  return `SELECT ${expressions.join(', ')} FROM range(${rows}) AS rows(i) ORDER BY i`;
}

function columnOf(table: TableSpec, name: string): ColumnSpec {
  const column = table.columns.find((candidate) => candidate.name === name);
  if (!column) throw new Error(`table '${table.name}': primary key column '${name}' is not a column`);
  return column;
}

function domainSize(column: ColumnSpec): number {
  if (column.type === 'text') return (KEY_DOMAINS[column.name] ?? DEFAULT_TEXT_DOMAIN).length;
  if (column.type === 'smallint') return SMALLINT_KEY_DOMAIN;
  return 100;
}

function keyValue(column: ColumnSpec, digit: string, unbounded: boolean): string {
  switch (column.type) {
    case 'text': {
      const domain = KEY_DOMAINS[column.name];
      if (domain === undefined) return `'${column.name}_' || ${digit}`;
      const list = textList(domain);
      if (!unbounded) return `${list}[${digit} + 1]`;
      // The first key column takes as many values as the row count needs: the domain, then numbered variants.
      return `CASE WHEN ${digit} < ${domain.length} THEN ${list}[${digit} + 1] ELSE ${list}[${digit} % ${domain.length} + 1] || ' rev ' || (${digit} // ${domain.length}) END`;
    }
    case 'smallint':
      return `(${digit} * 7 + 100)`;
    default:
      return `(${digit} + 1000)`;
  }
}

/** Measures that are a part of another in the same row (completions of starts, net of gross, ...). */
const PART_OF: Record<string, string> = {
  completions: 'starts',
  unique_viewers: 'plays',
  clicks: 'impressions',
  result_clicks: 'searches',
  net_amount: 'gross_amount',
};

function valueExpression(column: ColumnSpec, table: TableSpec, hour: Hour, seed: number): string {
  const random = `hash(i, ${seed}, '${column.name}')`;
  const whole = table.columns.find((candidate) => candidate.name === PART_OF[column.name] && !candidate.nullable);
  // A part is a share (5%-95%) of its whole, so the sample reads like real aggregates.
  const value = whole
    ? `(${plainValue(whole, `hash(i, ${seed}, '${whole.name}')`, hour)} * (0.05 + ((${random} >> 5) % 91) / 100.0))`
    : plainValue(column, random, hour);
  // About one in eight values of a nullable column is NULL.
  return column.nullable ? `CASE WHEN (${random} >> 3) % 8 = 0 THEN NULL ELSE ${value} END` : value;
}

function plainValue(column: ColumnSpec, random: string, hour: Hour): string {
  const fraction = `((${random} >> 11) % 1000000)::DOUBLE / 1000000`;
  switch (column.type) {
    case 'smallint':
      return `(${random} % 30000)`;
    case 'integer':
      return `(${random} % 100000)`;
    case 'bigint':
      return `(${random} % 10000000)`;
    case 'numeric': {
      const scale = column.scale ?? (column.precision === undefined ? 9 : 0);
      const shownScale = Math.min(scale, 8);
      // Rates and ratios stay below 1; amounts get up to six integer digits, within the precision.
      const integerDigits = Math.min((column.precision ?? 38) - scale, /rate|ratio/.test(column.name) ? 0 : 6);
      const units = `((${random} >> 7) % ${10 ** (integerDigits + shownScale)})`;
      return `(${units}::DECIMAL(38, 0) / ${10 ** shownScale})`;
    }
    case 'real':
      return `round(${fraction} * 500, 2)`;
    case 'double':
      return `(${fraction} * 1e6)`;
    case 'boolean':
      return `(${random} % 10 <> 0)`;
    case 'text':
      return awkwardText(random, `'${column.name} ' || i`);
    case 'date':
      return `(DATE '${hour.text.slice(0, 10)}' - CAST(${random} % 3 AS INTEGER))`;
    case 'timestamp':
    case 'timestamptz':
      return `(TIMESTAMP '${hourTimestampText(hour)}' - to_milliseconds(CAST(${random} % 86400000 AS BIGINT)))`;
    case 'jsonb':
      return `CASE ${random} % 5 WHEN 0 THEN '{"filters":[],"page":1}' WHEN 1 THEN '{"filters":["genre:drama","lang:es"],"page":' || (${random} % 9 + 1) || '}' WHEN 2 THEN '{"q":"caf\\u00e9 \\"noir\\"","safe":true}' WHEN 3 THEN '{"nested":{"a":[1,2.5,null]},"note":"comma, quote \\" and ☃"}' ELSE '{"sort":"relevance","page":' || (${random} % 3 + 1) || '}' END`;
  }
}

/** Mostly plain text; now and then the characters that break naive CSV: commas, quotes, newlines, unicode, ''. */
function awkwardText(random: string, plain: string): string {
  return `CASE ${random} % 40 WHEN 0 THEN 'with, comma' WHEN 1 THEN 'say "hello"' WHEN 2 THEN 'two' || chr(10) || 'lines' WHEN 3 THEN 'Zürich – 東京 ☃' WHEN 4 THEN '' WHEN 5 THEN '"' WHEN 6 THEN 'crlf' || chr(13) || chr(10) || 'end' ELSE ${plain} END`;
}

function textList(values: readonly string[]): string {
  return `[${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ')}]`;
}

function checked(name: string, table: TableSpec): string {
  if (!IDENTIFIER_PATTERN.test(name))
    throw new Error(`table '${table.name}': column '${name}' is not an identifier matching ${IDENTIFIER_PATTERN}`);
  return name;
}
