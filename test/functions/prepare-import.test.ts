import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerLookup } from '../../functions/prepare-import/ledger-lookup.ts';
import { prepareImport } from '../../functions/prepare-import/prepare-import.ts';
import type { AuroraDatabase } from '../../functions/shared/aurora/aurora-database.ts';
import { migrate } from '../../functions/shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { loadCatalog } from '../../functions/shared/catalog/load-catalog.ts';
import { UnknownTableError } from '../../functions/shared/errors.ts';
import { DEMO_CATALOG_PATH } from '../../local/cli/common-options.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let testDatabase: TestDatabase;
let database: AuroraDatabase;
let catalog: Catalog;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  database = createPostgresDatabase({ connectionString: testDatabase.url });
  catalog = await loadCatalog(DEMO_CATALOG_PATH);
  await migrate(database, catalog);
  const row = {
    hour: new Date('2026-11-27T10:00:00Z'),
    attempt: 1,
    rows_inserted: 10,
    rows_updated: 0,
    rows_deleted: 0,
    bytes: 100,
    duration_ms: 5,
    started_at: new Date('2026-11-27T11:10:00Z'),
    finished_at: new Date('2026-11-27T11:10:05Z'),
  };
  await database.db
    .insertInto('import_ledger')
    .values([
      { ...row, table_name: 'show_plays_hourly', source: 's-1', status: 'succeeded' },
      { ...row, table_name: 'search_terms_hourly', source: 's-1', status: 'failed' },
    ])
    .execute();
});

afterAll(async () => {
  await database?.close();
  await testDatabase?.drop();
});

describe('prepareImport on the real ledger', () => {
  const request = { table: 'show_plays_hourly', hour: '2026-11-27T10', source: 's-1', force: false };

  it('skips a table-hour already imported from the same source, saying when', async () => {
    const result = await prepareImport(request, catalog, ledgerLookup(database.db));
    expect(result).toEqual({
      skip: true,
      reason:
        'already imported from source s-1 at 2026-11-27T11:10:05.000Z (10 inserted, 0 updated); use force to re-import',
    });
  });

  it('a manual run (no source) counts any earlier success as done', async () => {
    const result = await prepareImport({ ...request, source: null }, catalog, ledgerLookup(database.db));
    expect(result.skip).toBe(true);
  });

  it('imports again for a new source, on force, and after a failure', async () => {
    const lookup = ledgerLookup(database.db);
    for (const other of [
      { ...request, source: 's-2' },
      { ...request, force: true },
      { ...request, table: 'search_terms_hourly' },
      { ...request, hour: '2026-11-27T11' },
    ]) {
      const result = await prepareImport(other, catalog, lookup);
      expect(result.skip).toBe(false);
    }
  });

  it('builds the Athena query from the catalog', async () => {
    const result = await prepareImport({ ...request, source: 's-2' }, catalog, ledgerLookup(database.db));
    expect(result).toEqual({
      skip: false,
      query: {
        database: 'aggregations',
        queryString:
          'SELECT "show_id", "hour", "country", "plays", "unique_viewers", "watch_seconds", "note" FROM "aggregations"."show_plays_hourly" WHERE "hour" = TIMESTAMP \'2026-11-27 10:00:00\'',
      },
    });
  });

  it('rejects an unknown table by name', async () => {
    await expect(
      prepareImport({ ...request, table: 'x; drop table y' }, catalog, ledgerLookup(database.db)),
    ).rejects.toThrow(UnknownTableError);
  });
});
