import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResult } from '../../functions/s3-import-to-aurora/import-result.ts';
import type { AuroraDatabase } from '../../functions/shared/aurora/aurora-database.ts';
import { migrate } from '../../functions/shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import { ImportTransientError } from '../../functions/shared/errors.ts';
import type { ObjectStore } from '../../functions/shared/ports/object-store.ts';
import type { FolderObjectStore } from '../../local/s3/folder-object-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestObjectStore, csv, ledgerRows, snapshot, TEST_CATALOG } from './import-fixtures.ts';

const BODY = csv('"term","hour","searches"', ['"a","2026-11-27 10:00:00.000","1"']);

describe('transient database failures (real PostgreSQL)', () => {
  let testDatabase: TestDatabase;
  let database: AuroraDatabase;
  let impatient: AuroraDatabase;
  let blocker: pg.Client;
  let store: FolderObjectStore;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('ai_transient');
    database = createPostgresDatabase({ config: { connectionString: testDatabase.url, application_name: 'importer' } });
    impatient = createPostgresDatabase({
      config: { connectionString: testDatabase.url, options: '-c lock_timeout=500' },
    });
    await migrate(database, TEST_CATALOG);
    store = await createTestObjectStore();
    await store.putObject({ bucket: 'r', key: 'q.csv' }, BODY);
    blocker = new pg.Client({ connectionString: testDatabase.url });
    await blocker.connect();
  });

  afterAll(async () => {
    await blocker.end();
    await database.close();
    await impatient.close();
    await testDatabase.drop();
  });

  const run = (on: AuroraDatabase = database) =>
    importResult({
      catalog: TEST_CATALOG,
      database: on,
      objectStore: store,
      table: 'replaced',
      hour: '2026-11-27T10',
      resultLocation: { bucket: 'r', key: 'q.csv' },
      queryExecutionId: 'q',
    });

  it('a lock timeout is an ImportTransientError and changes nothing', async () => {
    const before = await snapshot(database);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE replaced IN ACCESS EXCLUSIVE MODE');
    const error = (await run(impatient).catch((caught: unknown) => caught)) as Error;
    await blocker.query('ROLLBACK');
    expect(error).toBeInstanceOf(ImportTransientError);
    expect(error.message).toContain('lock timeout');
    expect((error as ImportTransientError).code).toBe('55P03');
    expect(await snapshot(database)).toEqual(before);
    expect((await ledgerRows(database)).at(-1)).toContain('failed 0 0 0 ImportTransientError');
  });

  it('a connection killed mid-import is an ImportTransientError; the next import succeeds', async () => {
    const before = await snapshot(database);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE replaced IN SHARE MODE');
    const pending = run().catch((caught: unknown) => caught);
    // Wait until the import blocks on the lock, then terminate its backend.
    for (let i = 0; i < 100; i++) {
      const { rows } = await blocker.query<{ pid: number }>(
        "select pid from pg_stat_activity where application_name = 'importer' and wait_event_type = 'Lock'",
      );
      if (rows[0]) {
        await blocker.query('select pg_terminate_backend($1)', [rows[0].pid]);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const error = (await pending) as Error;
    await blocker.query('ROLLBACK');
    expect(error).toBeInstanceOf(ImportTransientError);
    expect(error.message).toContain('terminating connection due to administrator command');
    expect(await snapshot(database)).toEqual(before);
    expect(await run()).toMatchObject({ status: 'succeeded', rowsInserted: 1 });
  });

  it('a result stream that breaks mid-COPY (S3 connection reset) is transient, and the pool stays usable', async () => {
    const before = await snapshot(database);
    const header = '"term","hour","searches"\n';
    const row = '"x","2026-11-27 10:00:00.000","1"\n';
    async function* broken() {
      yield Buffer.from(header);
      for (let i = 0; i < 1000; i++) yield Buffer.from(row.replace('"x"', `"x${i}"`));
      throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    }
    const failing: ObjectStore = {
      getObject: async () => ({ body: Readable.from(broken()) }),
      putObject: async () => {},
      exists: async () => true,
      listKeys: async () => [],
    };
    const error = (await importResult({
      catalog: TEST_CATALOG,
      database,
      objectStore: failing,
      table: 'replaced',
      hour: '2026-11-27T10',
      resultLocation: { bucket: 'r', key: 'broken.csv' },
      queryExecutionId: 'q-broken',
      force: true,
    }).catch((caught: unknown) => caught)) as Error;
    expect(error).toBeInstanceOf(ImportTransientError);
    expect(error.message).toContain('ECONNRESET');
    expect(await snapshot(database)).toEqual(before);
    expect((await ledgerRows(database)).at(-1)).toContain('failed 0 0 0 ImportTransientError');
  });

  it('a spent time budget cancels the blocked statement as ImportTransientError, before the caller kills it', async () => {
    const before = await snapshot(database);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE replaced IN ACCESS EXCLUSIVE MODE');
    const error = (await importResult({
      catalog: TEST_CATALOG,
      database,
      objectStore: store,
      table: 'replaced',
      hour: '2026-11-27T10',
      resultLocation: { bucket: 'r', key: 'q.csv' },
      queryExecutionId: 'q-budget',
      force: true,
      timeBudgetMs: 1_500,
    }).catch((caught: unknown) => caught)) as Error;
    await blocker.query('ROLLBACK');
    expect(error).toBeInstanceOf(ImportTransientError);
    // Usually the blocked DELETE is cancelled; on a very slow machine the budget may be spent before it starts.
    expect(error.message).toMatch(/canceling statement due to statement timeout|time budget of 1500 ms is spent/);
    expect(await snapshot(database)).toEqual(before);
  });
});
