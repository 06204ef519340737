import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImportEvent } from '../../functions/s3-import-to-aurora/import-event.ts';
import { createS3ImportToAuroraFunction } from '../../functions/s3-import-to-aurora/s3-import-to-aurora-function.ts';
import { poolConfigFromSecret } from '../../functions/shared/aurora/database-config.ts';
import { migrate } from '../../functions/shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import { createLambdaHandler } from '../../functions/shared/runtime/lambda-handler.ts';
import { MemoryMetricsSink } from '../../functions/shared/runtime/metrics-sink.ts';
import { LocalEventBridge } from '../../local/eventbridge/event-bus.ts';
import { LocalBusPublisher } from '../../local/eventbridge/local-bus-publisher.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { createTestObjectStore, csv, ledgerRows, TEST_CATALOG } from './import-fixtures.ts';

const context = {
  functionName: 's3-import-to-aurora',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:s3-import-to-aurora',
  memoryLimitInMB: '1024',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/s3-import-to-aurora',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

describe('s3-import-to-aurora handler', () => {
  let testDatabase: TestDatabase;
  const database = { current: undefined as ReturnType<typeof createPostgresDatabase> | undefined };

  beforeAll(async () => {
    testDatabase = await createTestDatabase('ai_handler');
    database.current = createPostgresDatabase({ connectionString: testDatabase.url });
    await migrate(database.current, TEST_CATALOG);
  });

  afterAll(async () => {
    await database.current?.close();
    await testDatabase.drop();
  });

  it('imports, logs with table and hour, emits metrics with the table dimension; failures keep their name', async () => {
    const store = await createTestObjectStore();
    await store.putObject(
      { bucket: 'results', key: 'q-1.csv' },
      csv('"term","hour","searches"', ['"a","2026-11-27 10:00:00.000","5"', '"b","2026-11-27 10:00:00.000","6"']),
    );
    const metrics = new MemoryMetricsSink();
    const lines: string[] = [];
    const logger = new Logger({ serviceName: 'aurora-imports', logLevel: 'INFO' });
    // Powertools writes through its own console; capture its structured lines.
    const sink = { info: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
    Object.assign(logger as unknown as { console: unknown }, { console: { ...console, ...sink } });
    let built = 0;
    const handler = createLambdaHandler(async () => {
      built++;
      return {
        catalog: TEST_CATALOG,
        logger,
        metrics,
        publisher: new LocalBusPublisher(new LocalEventBridge()),
        objectStore: store,
        database: async () => database.current!,
        env: {},
      };
    }, createS3ImportToAuroraFunction);

    const summary = await handler(
      {
        table: 'replaced',
        hour: '2026-11-27T10',
        resultLocation: 's3://results/q-1.csv',
        queryExecutionId: 'q-1',
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:import:replaced-2026-11-27T10-1',
      },
      context,
    );
    expect(summary).toMatchObject({ status: 'succeeded', rowsInserted: 2, queryExecutionId: 'q-1' });
    expect(metrics.total('RowsImported', { table: 'replaced' })).toBe(2);
    expect(metrics.total('ImportFailed', { table: 'replaced' })).toBe(0);
    expect(metrics.recorded.every((metric) => Object.keys(metric.dimensions).join() === 'table')).toBe(true);

    const failure = await handler(
      {
        table: 'replaced',
        hour: '2026-11-27T11',
        resultLocation: { bucket: 'results', key: 'q-1.csv' },
        queryExecutionId: 'q-2',
      },
      context,
    ).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('ImportValidationError');
    expect(metrics.total('ImportFailed', { table: 'replaced' })).toBe(1);
    expect(built).toBe(1);

    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((entry) => entry.message === 'import succeeded')).toMatchObject({
      table: 'replaced',
      hour: '2026-11-27T10',
      function_request_id: 'req-1',
      rowsInserted: 2,
    });
    expect(logged.find((entry) => entry.message === 'import failed')).toMatchObject({
      level: 'ERROR',
      table: 'replaced',
      hour: '2026-11-27T11',
    });
    expect(await ledgerRows(database.current!)).toEqual([
      'replaced 2026-11-27T10 - 1 succeeded 2 0 0 -',
      'replaced 2026-11-27T11 - 1 failed 0 0 0 ImportValidationError',
    ]);
  });
});

describe('parseImportEvent', () => {
  it('accepts {bucket, key} or an s3:// URI, and names a missing or wrong field', () => {
    expect(
      parseImportEvent({ table: 't', hour: 'h', resultLocation: 's3://b/k/q.csv', queryExecutionId: 'q', force: true }),
    ).toEqual({
      table: 't',
      hour: 'h',
      resultLocation: { bucket: 'b', key: 'k/q.csv' },
      queryExecutionId: 'q',
      force: true,
    });
    expect(() => parseImportEvent({ table: 't', hour: 'h', resultLocation: { bucket: 'b', key: 'k' } })).toThrow(
      "t: the import input lacks 'queryExecutionId'",
    );
    expect(() => parseImportEvent({ table: 't', hour: 'h', resultLocation: 'b/k', queryExecutionId: 'q' })).toThrow(
      /resultLocation: 'b\/k' is not an s3:\/\/bucket\/key URI/,
    );
    expect(() => parseImportEvent([])).toThrow(/must be a JSON object/);
  });
});

describe('poolConfigFromSecret', () => {
  it('maps the RDS secret, with host override and TLS verified by default', () => {
    const secret = { host: 'cluster.local', port: 5432, username: 'importer', password: 'pw', dbname: 'analytics' };
    expect(poolConfigFromSecret(secret, {})).toMatchObject({
      host: 'cluster.local',
      port: 5432,
      user: 'importer',
      database: 'analytics',
      ssl: { rejectUnauthorized: true },
    });
    expect(poolConfigFromSecret(secret, { DB_HOST_OVERRIDE: 'proxy.local', DB_SSL: 'off' })).toMatchObject({
      host: 'proxy.local',
      ssl: false,
    });
    expect(() => poolConfigFromSecret({ ...secret, password: '' }, {})).toThrow("the database secret lacks 'password'");
  });
});
