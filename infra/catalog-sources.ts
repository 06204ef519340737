import { readFileSync } from 'node:fs';
import type { TableWeight } from '../functions/shared/catalog/catalog-types.ts';
import { CatalogReadError } from './errors.ts';

/** What the infrastructure needs to know about one catalog table: where Athena reads it and who produces it. */
export interface CatalogTableSource {
  readonly name: string;
  readonly database: string;
  readonly table: string;
  readonly weight: TableWeight;
  readonly producedBy: string;
}

// Same rule as the catalog's IDENTIFIER_PATTERN: these names end up in IAM ARNs and metric dimensions.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Reads the table catalog at synth time to scope Glue permissions, alarms and the EMR rule to its tables. Only the
 * fields the infrastructure uses are checked here; the functions validate the whole catalog when they load it.
 */
export function readCatalogSources(file: string): CatalogTableSource[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CatalogReadError(file, error instanceof Error ? error.message : String(error));
  }
  const tables = isRecord(parsed) ? parsed.tables : undefined;
  if (!Array.isArray(tables) || tables.length === 0) {
    throw new CatalogReadError(file, '"tables" must be a non-empty array');
  }
  return tables.map((entry: unknown, index) => {
    const where = `tables[${index}]`;
    if (!isRecord(entry) || !isRecord(entry.source))
      throw new CatalogReadError(file, `${where} has no "source" object`);
    const fields = {
      name: entry.name,
      database: entry.source.database,
      table: entry.source.table,
      producedBy: entry.producedBy,
    };
    for (const [field, value] of Object.entries(fields)) {
      if (typeof value !== 'string' || (field !== 'producedBy' && !IDENTIFIER.test(value))) {
        throw new CatalogReadError(file, `${where}: ${field} must be an identifier matching ${IDENTIFIER.source}`);
      }
    }
    if (entry.weight !== 'heavy' && entry.weight !== 'light') {
      throw new CatalogReadError(file, `${where}: weight must be "heavy" or "light"`);
    }
    return {
      name: fields.name as string,
      database: fields.database as string,
      table: fields.table as string,
      producedBy: fields.producedBy as string,
      weight: entry.weight,
    };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
