import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { type Hour, parseHour } from '../../functions/shared/hour.ts';
import { type CommandIo, UsageError } from './command.ts';

/** The options every command shares (design.md section 5). */
export interface CommonOptions {
  /** Embedded database, local S3 folder, bus archive and dead letters live here. */
  readonly stateDir: string;
  /** A PostgreSQL URL, or undefined for embedded PGlite in `<stateDir>/pglite`. */
  readonly databaseUrl: string | undefined;
  /** Path of the table catalog JSON. */
  readonly catalogPath: string;
  /** Root of the local S3 folder. */
  readonly dataDir: string;
}

/** The parseArgs option specs of the common options, to spread into a command's own. */
export const COMMON_OPTION_SPECS = {
  'state-dir': { type: 'string' },
  'database-url': { type: 'string' },
  catalog: { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export const DEMO_CATALOG_PATH = fileURLToPath(
  new URL('../../functions/shared/catalog/demo-catalog.json', import.meta.url),
);

/** Resolves the common options with their documented defaults (flags, then env, then defaults). */
export function resolveCommonOptions(values: Record<string, unknown>, io: CommandIo): CommonOptions {
  const text = (key: string): string | undefined => {
    const value = values[key];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const stateDir = resolve(io.cwd, text('state-dir') ?? io.env.AURORA_IMPORTS_HOME ?? '.aurora-imports');
  return {
    stateDir,
    databaseUrl: text('database-url') ?? (io.env.DATABASE_URL || undefined),
    catalogPath: resolve(io.cwd, text('catalog') ?? DEMO_CATALOG_PATH),
    dataDir: resolve(io.cwd, text('data-dir') ?? join(stateDir, 's3')),
  };
}

/** The usage line every command ends with. */
export const COMMON_OPTIONS_USAGE =
  'Common options: --state-dir DIR, --database-url URL, --catalog FILE, --data-dir DIR';

/** Parses an hour given on the command line; a bad one is a usage error naming the flag. */
export function hourOption(value: string, flag: string): Hour {
  try {
    return parseHour(value, flag);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Parses `--tables a,b` against the catalog; unknown names are a usage error listing the known ones. */
export function tablesOption(value: string | undefined, catalog: Catalog): string[] | undefined {
  if (value === undefined) return undefined;
  const tables = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (tables.length === 0) throw new UsageError('--tables names no table');
  const known = catalog.tables.map((table) => table.name);
  const unknown = tables.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(`--tables: unknown table(s) ${unknown.join(', ')}; the catalog has: ${known.join(', ')}`);
  }
  return tables;
}
