import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAthenaQuery } from '../../functions/shared/catalog/athena-query.ts';
import type { ColumnSpec, TableSpec } from '../../functions/shared/catalog/catalog-types.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { parseS3Uri } from '../../functions/shared/ports/object-store.ts';
import { DuckDbAthena } from '../../local/athena/duckdb-athena.ts';
import { hourPartitionDirectory } from '../../local/athena/local-lake.ts';
import { generateSampleData } from '../../local/demo/generate-sample-data.ts';
import { FolderObjectStore } from '../../local/s3/folder-object-store.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { AWKWARD_TABLE, DEMO_CATALOG, demoTable, temporaryDirectory, writeAwkwardTable } from './fixtures.ts';

const HOUR = parseHour('2026-11-27T10');
const ROUND_TRIP_TABLES = ['show_plays_hourly', 'search_terms_hourly', 'device_errors_hourly', 'host_earnings_hourly'];

let database: TestDatabase;
let client: pg.Client;
let dataDir: string;
let instance: DuckDBInstance;
let athena: DuckDbAthena;
let store: FolderObjectStore;

function postgresType(column: ColumnSpec): string {
  switch (column.type) {
    case 'numeric':
      return column.precision === undefined ? 'numeric' : `numeric(${column.precision}, ${column.scale ?? 0})`;
    case 'double':
      return 'double precision';
    default:
      return column.type;
  }
}

/** Runs the table's Athena query locally and COPYs the result CSV into a fresh PostgreSQL table of the same name. */
async function importThroughCsv(table: TableSpec): Promise<void> {
  const columns = table.columns.map(
    (column) => `"${column.name}" ${postgresType(column)}${column.nullable ? '' : ' NOT NULL'}`,
  );
  await client.query(`CREATE TABLE "${table.name}" (${columns.join(', ')})`);
  const execution = await athena.execute({ ...buildAthenaQuery(table, HOUR), outputLocation: 's3://results/pg/' });
  const { body } = await store.getObject(parseS3Uri(execution.ResultConfiguration.OutputLocation));
  await pipeline(body, client.query(copyFrom(`COPY "${table.name}" FROM STDIN (FORMAT csv, HEADER true)`)));
}

beforeAll(async () => {
  database = await createTestDatabase('ai_athena');
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  // Athena's timestamps carry no zone: they are UTC.
  await client.query("SET TIME ZONE 'UTC'");
  dataDir = await temporaryDirectory('athena-pg');
  instance = await DuckDBInstance.create(':memory:');
  store = new FolderObjectStore(dataDir);
  await writeAwkwardTable(instance, dataDir, [HOUR]);
  await generateSampleData({
    catalog: DEMO_CATALOG,
    dataDir,
    hour: HOUR,
    scale: 0.05,
    tables: ROUND_TRIP_TABLES,
    instance,
  });
  athena = new DuckDbAthena({ catalog: { tables: [...DEMO_CATALOG.tables, AWKWARD_TABLE] }, dataDir, instance });
});

afterAll(async () => {
  await client?.end();
  await database?.drop();
  instance?.closeSync();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the local Athena CSV read by PostgreSQL COPY (FORMAT csv, HEADER true)', () => {
  it('keeps NULL and the empty string apart and every awkward value intact', async () => {
    await importThroughCsv(AWKWARD_TABLE);
    const { rows } = await client.query(`
      SELECT id, to_char(hour, 'YYYY-MM-DD HH24:MI:SS.MS') AS hour, label, label IS NULL AS label_null, amount::text,
             ratio, score, flag, to_char(seen_at, 'YYYY-MM-DD HH24:MI:SS.MS') AS seen_at, day::text, payload::text,
             big::text, tiny
      FROM awkward_values ORDER BY id`);
    expect(rows).toEqual([
      {
        id: 1,
        hour: '2026-11-27 10:00:00.000',
        label: null,
        label_null: true,
        amount: '12.5000',
        ratio: 0.1,
        score: 1.5,
        flag: true,
        seen_at: '2026-11-27 09:59:58.123',
        day: '2026-11-27',
        payload: '{"a": 1}',
        big: '9007199254740993',
        tiny: -32768,
      },
      {
        id: 2,
        hour: '2026-11-27 10:00:00.000',
        label: '',
        label_null: false,
        amount: '-0.0001',
        ratio: 10000000,
        score: 0.1,
        flag: false,
        seen_at: '2026-11-27 00:00:00.000',
        day: '2026-01-05',
        payload: null,
        big: '-1',
        tiny: 0,
      },
      {
        id: 3,
        hour: '2026-11-27 10:00:00.000',
        label: 'say "hi", then\nbye ☃ 東京',
        label_null: false,
        amount: '123456.7890',
        ratio: 2,
        score: null,
        flag: true,
        seen_at: '2026-11-26 23:30:00.500',
        day: '2026-11-26',
        payload: '{"n": [1, 2.5, null], "q": "a \\"b\\", c"}',
        big: '0',
        tiny: 7,
      },
      {
        id: 4,
        hour: '2026-11-27 10:00:00.000',
        label: '"',
        label_null: false,
        amount: '0.0000',
        ratio: 0.00012,
        score: 3.25,
        flag: false,
        seen_at: '2026-11-27 10:00:00.000',
        day: '2026-11-27',
        payload: '{}',
        big: '42',
        tiny: 1,
      },
    ]);
  });

  it('round-trips generated demo tables: same rows, same NULLs, same empty strings as the source files', async () => {
    const connection = await instance.connect();
    try {
      for (const name of ROUND_TRIP_TABLES) {
        const table = demoTable(name);
        await importThroughCsv(table);
        const textColumns = table.columns.filter((column) => column.type === 'text' || column.type === 'jsonb');
        const measures = [
          'count(*)',
          ...table.columns.map((column) => `count(*) FILTER (WHERE "${column.name}" IS NULL)`),
          ...textColumns
            .filter((column) => column.type === 'text')
            .map((column) => `count(*) FILTER (WHERE "${column.name}" = '')`),
          ...textColumns.map((column) => `count(DISTINCT "${column.name}")`),
        ];
        const file = join(hourPartitionDirectory({ dataDir }, table, HOUR), 'part-0.parquet');
        const source = await connection.runAndReadAll(
          `SELECT ${measures.map((measure) => `CAST(${measure} AS VARCHAR)`).join(', ')} FROM read_parquet('${file}', hive_partitioning = false)`,
        );
        const imported = await client.query({
          text: `SELECT ${measures.map((measure) => `(${measure})::text`).join(', ')} FROM "${name}"`,
          rowMode: 'array',
        });
        expect(imported.rows[0], name).toEqual(source.getRowsJS()[0]);
      }
    } finally {
      connection.closeSync();
    }
  });
});
