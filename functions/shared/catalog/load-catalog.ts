import { readFile } from 'node:fs/promises';
import { Ajv, type ErrorObject } from 'ajv';
import catalogSchema from '../../../schemas/catalog.schema.json' with { type: 'json' };
import { CatalogError, UnknownTableError } from '../errors.ts';
import { type Catalog, COLUMN_TYPES, IDENTIFIER_PATTERN, type TableSpec } from './catalog-types.ts';

const ajv = new Ajv({ allErrors: true, strict: true });
const validateShape = ajv.compile(catalogSchema);

/** Partition columns hold the hour, so only a timestamp type fits. */
const PARTITION_COLUMN_TYPES = new Set(['timestamptz', 'timestamp']);

/** Reads and validates a catalog file; throws `CatalogError` naming file, table and field. */
export async function loadCatalog(path: string): Promise<Catalog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CatalogError({ file: path }, `cannot read the catalog: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CatalogError({ file: path }, `not valid JSON: ${(error as Error).message}`);
  }
  return parseCatalog(json, path);
}

/**
 * Validates a parsed catalog: first its shape against `schemas/catalog.schema.json`, then the rules a schema cannot
 * say (keys among the columns, partition column in the key, no duplicate names, numeric scale within precision).
 * Every identifier is checked against `IDENTIFIER_PATTERN` here, which is what lets them reach SQL later.
 */
export function parseCatalog(json: unknown, fileName: string): Catalog {
  if (!validateShape(json)) {
    const first = (validateShape.errors ?? [])[0];
    throw schemaError(json, fileName, first);
  }
  const catalog = json as unknown as Catalog;
  const tableNames = new Set<string>();
  for (const table of catalog.tables) {
    const at = (field?: string) => ({ file: fileName, table: table.name, ...(field ? { field } : {}) });
    if (tableNames.has(table.name)) throw new CatalogError(at('name'), 'duplicate table name');
    tableNames.add(table.name);
    checkTable(table, at);
  }
  return catalog;
}

function checkTable(table: TableSpec, at: (field?: string) => { file: string; table: string; field?: string }) {
  const columns = new Map<string, (typeof table.columns)[number]>();
  for (const column of table.columns) {
    if (!IDENTIFIER_PATTERN.test(column.name))
      throw new CatalogError(at(`columns.${column.name}`), `identifier does not match ${IDENTIFIER_PATTERN}`);
    if (columns.has(column.name)) throw new CatalogError(at(`columns.${column.name}`), 'duplicate column name');
    columns.set(column.name, column);
    if (column.type !== 'numeric' && (column.precision !== undefined || column.scale !== undefined))
      throw new CatalogError(at(`columns.${column.name}`), `precision/scale apply only to numeric, not ${column.type}`);
    if (column.scale !== undefined && column.precision === undefined)
      throw new CatalogError(at(`columns.${column.name}.scale`), 'scale needs a precision');
    if (column.scale !== undefined && column.precision !== undefined && column.scale > column.precision)
      throw new CatalogError(
        at(`columns.${column.name}.scale`),
        `scale ${column.scale} exceeds precision ${column.precision}`,
      );
  }
  const keys = new Set<string>();
  for (const key of table.primaryKey) {
    if (keys.has(key)) throw new CatalogError(at('primaryKey'), `duplicate key column '${key}'`);
    keys.add(key);
    const column = columns.get(key);
    if (!column)
      throw new CatalogError(
        at('primaryKey'),
        `key column '${key}' is not among the columns (${[...columns.keys()].join(', ')})`,
      );
    if (column.nullable) throw new CatalogError(at(`columns.${key}.nullable`), 'a key column cannot be nullable');
  }
  const partition = columns.get(table.partitionColumn);
  if (!partition)
    throw new CatalogError(
      at('partitionColumn'),
      `partition column '${table.partitionColumn}' is not among the columns (${[...columns.keys()].join(', ')})`,
    );
  if (!keys.has(table.partitionColumn))
    throw new CatalogError(
      at('partitionColumn'),
      `partition column '${table.partitionColumn}' must be part of the primary key (${table.primaryKey.join(', ')})`,
    );
  if (!PARTITION_COLUMN_TYPES.has(partition.type))
    throw new CatalogError(
      at('partitionColumn'),
      `partition column '${table.partitionColumn}' holds the hour, so its type must be timestamptz or timestamp, not ${partition.type}`,
    );
  if (table.allowEmpty && table.mode !== 'replace-partition')
    throw new CatalogError(at('allowEmpty'), 'allowEmpty applies only to mode replace-partition');
}

/** Turns the first schema violation into a `CatalogError` naming the table (by name when it has one) and field. */
function schemaError(json: unknown, file: string, error: ErrorObject | undefined): CatalogError {
  if (!error) return new CatalogError({ file }, 'does not match the catalog schema');
  const path = error.instancePath.split('/').slice(1);
  let table: string | undefined;
  let fieldParts = path;
  if (path[0] === 'tables' && path[1] !== undefined) {
    const raw = (json as { tables: unknown[] }).tables[Number(path[1])] as { name?: unknown } | undefined;
    table = typeof raw?.name === 'string' ? raw.name : `#${path[1]}`;
    fieldParts = path.slice(2);
    // Name columns by their name, not their index: "columns.plays.type".
    if (fieldParts[0] === 'columns' && fieldParts[1] !== undefined) {
      const column = (raw as { columns?: { name?: unknown }[] } | undefined)?.columns?.[Number(fieldParts[1])];
      if (typeof column?.name === 'string' && column.name !== '')
        fieldParts = ['columns', column.name, ...fieldParts.slice(2)];
    }
  }
  const params = error.params as Record<string, unknown>;
  if (typeof params.additionalProperty === 'string') fieldParts = [...fieldParts, params.additionalProperty];
  if (typeof params.missingProperty === 'string') fieldParts = [...fieldParts, params.missingProperty];
  const field =
    fieldParts.length > 0
      ? fieldParts.map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i > 0 ? `.${part}` : part)).join('')
      : undefined;
  return new CatalogError({ file, ...(table ? { table } : {}), ...(field ? { field } : {}) }, describe(error));
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const isType = error.instancePath.endsWith('/type');
      return `${isType ? 'unknown type' : 'invalid value'}; expected one of ${(isType ? COLUMN_TYPES : allowed).join(', ')}`;
    }
    case 'pattern':
      return params.pattern === IDENTIFIER_PATTERN.source
        ? `identifier does not match ${IDENTIFIER_PATTERN} (lowercase letters, digits, _; at most 63 characters)`
        : `does not match ${String(params.pattern)}`;
    case 'additionalProperties':
      return 'unknown field';
    case 'required':
      return 'missing required field';
    default:
      return error.message ?? 'does not match the catalog schema';
  }
}

/** The table named `name`; throws `UnknownTableError` listing the known tables. */
export function findTable(catalog: Catalog, name: string): TableSpec {
  const table = catalog.tables.find((candidate) => candidate.name === name);
  if (!table)
    throw new UnknownTableError(
      name,
      catalog.tables.map((known) => known.name),
    );
  return table;
}
