import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuroraDatabase } from '../../functions/shared/aurora/aurora-database.ts';
import { migrate } from '../../functions/shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { createPgliteDatabase } from '../aurora/pglite-database.ts';

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL; without one, embedded PGlite persisted in `<stateDir>/pglite`. */
  readonly databaseUrl: string | undefined;
  readonly stateDir: string;
  /** When given, the target tables and the ledger are created if missing (idempotent). */
  readonly catalog?: Catalog;
}

/** The database of the local runtime and the CLI: the given PostgreSQL, or the embedded one. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<AuroraDatabase> {
  let database: AuroraDatabase;
  if (options.databaseUrl) database = createPostgresDatabase({ connectionString: options.databaseUrl });
  else {
    const dataDir = join(options.stateDir, 'pglite');
    await mkdir(dataDir, { recursive: true });
    database = await createPgliteDatabase({ dataDir });
  }
  if (options.catalog) {
    try {
      await migrate(database, options.catalog);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}
