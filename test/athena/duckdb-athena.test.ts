import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAthenaQuery } from '../../functions/shared/catalog/athena-query.ts';
import type { Catalog, TableSpec } from '../../functions/shared/catalog/catalog-types.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { parseS3Uri } from '../../functions/shared/ports/object-store.ts';
import { createAthenaSyncTaskHandler } from '../../local/athena/athena-sync-task.ts';
import { DuckDbAthena } from '../../local/athena/duckdb-athena.ts';
import { AthenaQueryFailedError } from '../../local/athena/errors.ts';
import { hourPartitionDirectory } from '../../local/athena/local-lake.ts';
import { generateSampleData } from '../../local/demo/generate-sample-data.ts';
import { FolderObjectStore } from '../../local/s3/folder-object-store.ts';
import {
  AWKWARD_CSV,
  AWKWARD_TABLE,
  countCsvRecords,
  DEMO_CATALOG,
  demoTable,
  temporaryDirectory,
  writeAwkwardTable,
} from './fixtures.ts';

const HOUR = parseHour('2026-11-27T10');
const OUTPUT = 's3://athena-results/aurora-imports/';
const MISSING_TABLE: TableSpec = {
  ...AWKWARD_TABLE,
  name: 'missing_table',
  source: { database: 'aggregations', table: 'missing_table' },
};
const CATALOG: Catalog = { tables: [...DEMO_CATALOG.tables, AWKWARD_TABLE, MISSING_TABLE] };

let dataDir: string;
let instance: DuckDBInstance;
let athena: DuckDbAthena;
let store: FolderObjectStore;
let generatedRows: Map<string, number>;

async function resultText(outputLocation: string): Promise<string> {
  const path = store.pathOf(parseS3Uri(outputLocation));
  return readFile(path, 'utf8');
}

beforeAll(async () => {
  dataDir = await temporaryDirectory('duckdb-athena');
  instance = await DuckDBInstance.create(':memory:');
  store = new FolderObjectStore(dataDir);
  const generated = await generateSampleData({ catalog: DEMO_CATALOG, dataDir, hour: HOUR, scale: 0.1, instance });
  generatedRows = new Map(generated.generated.map((table) => [table.table, table.rows]));
  await writeAwkwardTable(instance, dataDir, [HOUR, parseHour('2026-11-27T09')]);
  let id = 0;
  athena = new DuckDbAthena({
    catalog: CATALOG,
    dataDir,
    instance,
    newQueryExecutionId: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}`,
  });
});

afterAll(async () => {
  await athena.close();
  instance.closeSync();
  await rm(dataDir, { recursive: true, force: true });
});

describe('DuckDbAthena', () => {
  it('writes exactly Athena CSV: NULL vs "", quotes, commas, newlines, unicode, scale, timestamps, booleans, json', async () => {
    const query = buildAthenaQuery(AWKWARD_TABLE, HOUR);
    const execution = await athena.execute({
      ...query,
      queryString: `${query.queryString} ORDER BY "id"`,
      outputLocation: OUTPUT,
    });
    expect(await resultText(execution.ResultConfiguration.OutputLocation)).toBe(AWKWARD_CSV);
  });

  it('answers with the GetQueryExecution shape and names the result <id>.csv under the output location', async () => {
    const query = buildAthenaQuery(AWKWARD_TABLE, HOUR);
    const execution = await athena.execute({
      ...query,
      outputLocation: 's3://athena-results/no-slash',
      workGroup: 'imports',
    });
    expect(execution).toMatchObject({
      QueryExecutionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      Query: query.queryString,
      StatementType: 'DML',
      ResultConfiguration: { OutputLocation: `s3://athena-results/no-slash/${execution.QueryExecutionId}.csv` },
      QueryExecutionContext: { Database: 'aggregations', Catalog: 'awsdatacatalog' },
      Status: { State: 'SUCCEEDED', SubmissionDateTime: expect.any(Number), CompletionDateTime: expect.any(Number) },
      Statistics: {
        EngineExecutionTimeInMillis: expect.any(Number),
        DataScannedInBytes: Buffer.byteLength(AWKWARD_CSV),
        TotalExecutionTimeInMillis: expect.any(Number),
      },
      WorkGroup: 'imports',
    });
  });

  it('returns every generated row for each demo table (both partition styles)', async () => {
    for (const table of DEMO_CATALOG.tables) {
      const execution = await athena.execute({ ...buildAthenaQuery(table, HOUR), outputLocation: OUTPUT });
      const text = await resultText(execution.ResultConfiguration.OutputLocation);
      expect(countCsvRecords(text), table.name).toBe(generatedRows.get(table.name)! + 1);
      expect(text.split('\n', 1)[0]).toBe(table.columns.map((column) => `"${column.name}"`).join(','));
      expect(text.split('\n', 2)[1], table.name).toContain('"2026-11-27 10:00:00.000"');
    }
  });

  it('answers an hour without files like an empty partition: the header only', async () => {
    for (const table of [AWKWARD_TABLE, demoTable('host_earnings_hourly'), demoTable('show_plays_hourly')]) {
      const query = buildAthenaQuery(table, parseHour('2026-11-27T11'));
      const execution = await athena.execute({ ...query, outputLocation: OUTPUT });
      expect(await resultText(execution.ResultConfiguration.OutputLocation)).toBe(
        `${table.columns.map((column) => `"${column.name}"`).join(',')}\n`,
      );
    }
  });

  it('fails like Athena for a source table with no files at all', async () => {
    const query = buildAthenaQuery(MISSING_TABLE, HOUR);
    const failure = await athena.execute({ ...query, outputLocation: OUTPUT }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AthenaQueryFailedError);
    expect(failure).toMatchObject({
      name: 'Athena.AmazonAthenaException',
      error: 'Athena.AmazonAthenaException',
      message: `TABLE_NOT_FOUND: line 1:${query.queryString.indexOf('"aggregations"') + 1}: Table 'awsdatacatalog.aggregations.missing_table' does not exist`,
    });
    expect((failure as AthenaQueryFailedError).cause).toBe((failure as Error).message);
  });

  it('fails like Athena for a table the catalog does not know, an unknown column and bad syntax', async () => {
    const run = (queryString: string) =>
      athena
        .execute({ queryString, database: 'aggregations', outputLocation: OUTPUT })
        .catch((error: unknown) => error);
    expect(await run('SELECT * FROM nowhere')).toMatchObject({
      name: 'Athena.AmazonAthenaException',
      message: "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.aggregations.nowhere' does not exist",
    });
    expect(await run('SELECT "nope" FROM "aggregations"."awkward_values"')).toMatchObject({
      message:
        "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved or requester is not authorized to access requested resources",
    });
    expect(await run('SELEC 1')).toMatchObject({ message: expect.stringMatching(/^SYNTAX_ERROR: /) });
    expect(await run("COPY (SELECT 1) TO '/tmp/x.csv'")).toMatchObject({
      message: expect.stringContaining('Error Code: InvalidRequestException'),
    });
    expect(
      await athena
        .execute({ queryString: 'SELECT 1', database: 'nodb', outputLocation: OUTPUT })
        .catch((error: unknown) => error),
    ).toMatchObject({ message: "SCHEMA_NOT_FOUND: Schema 'nodb' does not exist" });
    expect(
      await athena
        .execute({ queryString: 'SELECT 1', database: 'aggregations', outputLocation: '/tmp/results' })
        .catch((error: unknown) => error),
    ).toMatchObject({
      name: 'Athena.AmazonAthenaException',
      message: expect.stringMatching(/^The output location '\/tmp\/results' is not an s3:.*InvalidRequestException/),
    });
  });

  it('picks up a source whose files appear after the engine started', async () => {
    const late: TableSpec = {
      ...AWKWARD_TABLE,
      name: 'late',
      source: { database: 'aggregations', table: 'late_table' },
    };
    const engine = new DuckDbAthena({ catalog: { tables: [late] }, dataDir, instance });
    const query = { ...buildAthenaQuery(late, HOUR), outputLocation: OUTPUT };
    await expect(engine.execute(query)).rejects.toThrow(
      /^TABLE_NOT_FOUND: .*'awsdatacatalog\.aggregations\.late_table'/,
    );
    await writeAwkwardTable(instance, dataDir, [HOUR], late);
    const execution = await engine.execute(query);
    expect(countCsvRecords(await resultText(execution.ResultConfiguration.OutputLocation))).toBe(5);
  });

  it('reads CSV source files too (header row, Athena quoting), typed by the catalog', async () => {
    const csvTable: TableSpec = {
      ...AWKWARD_TABLE,
      name: 'csv_source',
      source: { database: 'aggregations', table: 'csv_source' },
    };
    const directory = hourPartitionDirectory({ dataDir }, csvTable, HOUR);
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, 'part-0.csv'), AWKWARD_CSV);
    const engine = new DuckDbAthena({ catalog: { tables: [csvTable] }, dataDir, instance });
    const query = buildAthenaQuery(csvTable, HOUR);
    const execution = await engine.execute({
      ...query,
      queryString: `${query.queryString} ORDER BY "id"`,
      outputLocation: OUTPUT,
    });
    expect(await resultText(execution.ResultConfiguration.OutputLocation)).toBe(AWKWARD_CSV);
  });

  it('runs queries concurrently on one instance', async () => {
    const executions = await Promise.all(
      DEMO_CATALOG.tables.map((table) => athena.execute({ ...buildAthenaQuery(table, HOUR), outputLocation: OUTPUT })),
    );
    expect(new Set(executions.map((execution) => execution.QueryExecutionId)).size).toBe(DEMO_CATALOG.tables.length);
  });

  it('rejects with the abort reason when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped by the test'));
    await expect(
      athena.execute({ ...buildAthenaQuery(AWKWARD_TABLE, HOUR), outputLocation: OUTPUT }, controller.signal),
    ).rejects.toThrow('stopped by the test');
  });

  it('interrupts a running query when the signal aborts and writes no result', async () => {
    const controller = new AbortController();
    const running = athena.execute(
      {
        queryString: 'SELECT sum(a.range * b.range) AS total FROM range(100000000) a, range(100000000) b',
        database: 'aggregations',
        outputLocation: 's3://athena-results/aborted/',
      },
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error('execution stopped')), 50);
    await expect(running).rejects.toThrow('execution stopped');
    expect(await store.listKeys('athena-results', 'aborted/')).toEqual([]);
  });

  it('serves the Step Functions .sync task: ASL Arguments in, {QueryExecution} out', async () => {
    const handler = createAthenaSyncTaskHandler(athena);
    const query = buildAthenaQuery(AWKWARD_TABLE, HOUR);
    const output = await handler(
      {
        QueryString: query.queryString,
        WorkGroup: 'primary',
        QueryExecutionContext: { Database: query.database },
        ResultConfiguration: { OutputLocation: OUTPUT },
      },
      { signal: new AbortController().signal },
    );
    expect(output.QueryExecution.Status.State).toBe('SUCCEEDED');
    expect(output.QueryExecution.ResultConfiguration.OutputLocation).toMatch(
      /^s3:\/\/athena-results\/aurora-imports\/[0-9a-f-]{36}\.csv$/,
    );
    expect(countCsvRecords(await resultText(output.QueryExecution.ResultConfiguration.OutputLocation))).toBe(5);
  });
});
