import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportLimitsConfigError } from '../../functions/s3-import-to-aurora/import-limits.ts';
import { createS3ImportToAuroraFunction } from '../../functions/s3-import-to-aurora/s3-import-to-aurora-function.ts';
import type { AuroraDatabase } from '../../functions/shared/aurora/aurora-database.ts';
import { SLOT_LOCK_KEYS } from '../../functions/shared/aurora/import-slots.ts';
import { migrate } from '../../functions/shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { loadCatalog } from '../../functions/shared/catalog/load-catalog.ts';
import { MemoryMetricsSink } from '../../functions/shared/runtime/metrics-sink.ts';
import { DEMO_CATALOG_PATH } from '../../local/cli/common-options.ts';
import { FolderObjectStore } from '../../local/s3/folder-object-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let testDatabase: TestDatabase;
let database: AuroraDatabase;
let catalog: Catalog;
let root: string;
let objectStore: FolderObjectStore;

const request = {
  table: 'show_plays_hourly',
  hour: '2026-11-27T10',
  resultLocation: { bucket: 'results', key: 'q-1.csv' },
  queryExecutionId: 'q-1',
};

beforeAll(async () => {
  testDatabase = await createTestDatabase('ai_fn');
  database = createPostgresDatabase({ connectionString: testDatabase.url });
  catalog = await loadCatalog(DEMO_CATALOG_PATH);
  await migrate(database, catalog);
  root = await mkdtemp(join(tmpdir(), 'ai-fn-'));
  objectStore = new FolderObjectStore(root);
  await objectStore.putObject(
    request.resultLocation,
    [
      '"show_id","hour","country","plays","unique_viewers","watch_seconds","note"',
      '"1","2026-11-27 10:00:00.000","NL","10","5","120.5",',
      '"2","2026-11-27 10:00:00.000","DE","20","7","99.0",""',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await database?.close();
  await testDatabase?.drop();
  await rm(root, { recursive: true, force: true });
});

function importFunction(env: Record<string, string>, metrics: MemoryMetricsSink) {
  return createS3ImportToAuroraFunction({
    catalog,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics,
    objectStore,
    database: async () => database,
    env,
  });
}

const invocation = { remainingTimeMs: () => 600_000 };

describe('the S3ImportToAurora function and its limits from the environment', () => {
  it('waits its turn on a busy heavy slot: SlotBusy, not ImportFailed, nothing written; a second slot lets it in', async () => {
    const holder = new pg.Client({ connectionString: testDatabase.url });
    await holder.connect();
    await holder.query('select pg_advisory_lock($1, 0)', [SLOT_LOCK_KEYS.heavy]);
    try {
      const metrics = new MemoryMetricsSink();
      await expect(importFunction({ HEAVY_SLOTS: '1' }, metrics)(request, invocation)).rejects.toMatchObject({
        name: 'ImportSlotBusyError',
      });
      expect(metrics.total('SlotBusy', { weight: 'heavy' })).toBe(1);
      expect(metrics.total('ImportFailed')).toBe(0);
      const rows = await database.db
        .selectFrom('show_plays_hourly' as 'import_ledger')
        .selectAll()
        .execute();
      expect(rows).toEqual([]);

      const summary = await importFunction({ HEAVY_SLOTS: '2' }, metrics)(request, invocation);
      expect(summary).toMatchObject({ status: 'succeeded', rowsInserted: 2 });
      expect(metrics.total('RowsImported', { table: 'show_plays_hourly' })).toBe(2);
    } finally {
      await holder.end();
    }
  });

  it('refuses a bad setting by name before any import', () => {
    expect(() => importFunction({ LIGHT_SLOTS: 'many' }, new MemoryMetricsSink())).toThrow(ImportLimitsConfigError);
    expect(() => importFunction({ HEAVY_SLOTS: '0' }, new MemoryMetricsSink())).toThrow(
      /HEAVY_SLOTS must be a whole number/,
    );
  });
});
