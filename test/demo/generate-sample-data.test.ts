import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { loadCatalog } from '../../functions/shared/catalog/load-catalog.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { hourPartitionDirectory, sourceColumnType } from '../../local/athena/local-lake.ts';
import {
  generateSampleData,
  HEAVY_ROWS,
  LIGHT_MAX_ROWS,
  LIGHT_MIN_ROWS,
} from '../../local/demo/generate-sample-data.ts';

const CATALOG: Catalog = await loadCatalog(
  fileURLToPath(new URL('../../functions/shared/catalog/demo-catalog.json', import.meta.url)),
);
const HOUR = parseHour('2026-11-27T10');

let root: string;
let instance: DuckDBInstance;

async function query(sql: string): Promise<unknown[][]> {
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowsJS();
  } finally {
    connection.closeSync();
  }
}

function fileOf(dataDir: string, tableName: string, hour = HOUR): string {
  const table = CATALOG.tables.find((candidate) => candidate.name === tableName)!;
  return join(hourPartitionDirectory({ dataDir }, table, hour), 'part-0.parquet');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sample-data-'));
  instance = await DuckDBInstance.create(':memory:');
});

afterAll(async () => {
  instance.closeSync();
  await rm(root, { recursive: true, force: true });
});

describe('generateSampleData', () => {
  it('writes every demo table for the hour at scale 1: heavy 150k rows, light 5k-30k, in the lake layout', async () => {
    const dataDir = join(root, 'full');
    const result = await generateSampleData({ catalog: CATALOG, dataDir, hour: HOUR, instance });
    expect(result.skipped).toEqual([]);
    expect(result.generated.map((table) => table.table)).toEqual(CATALOG.tables.map((table) => table.name));
    for (const { table, rows, file } of result.generated) {
      const spec = CATALOG.tables.find((candidate) => candidate.name === table)!;
      if (spec.weight === 'heavy') expect(rows).toBe(HEAVY_ROWS);
      else {
        expect(rows).toBeGreaterThanOrEqual(LIGHT_MIN_ROWS);
        expect(rows).toBeLessThanOrEqual(LIGHT_MAX_ROWS);
      }
      expect(file).toBe(fileOf(dataDir, table));
      expect(await query(`SELECT count(*)::INTEGER FROM read_parquet('${file}', hive_partitioning = false)`)).toEqual([
        [rows],
      ]);
    }
    expect(fileOf(dataDir, 'host_earnings_hourly')).toContain(join('host_earnings_hourly', 'dt=2026-11-27', 'hr=10'));
    expect(fileOf(dataDir, 'show_plays_hourly')).toContain(join('show_plays_hourly', 'hour=2026-11-27T10'));
    const total = result.generated.reduce((sum, table) => sum + table.rows, 0);
    expect(total).toBeGreaterThan(300_000);
    expect(total).toBeLessThan(500_000);
  });

  it('skips tables whose hour already has files and reports them', async () => {
    const dataDir = join(root, 'skip');
    const directory = join(fileOf(dataDir, 'search_terms_hourly'), '..');
    await mkdir(directory, { recursive: true });
    await writeFile(join(directory, 'part-0.csv'), '"term","hour"\n');
    const first = await generateSampleData({ catalog: CATALOG, dataDir, hour: HOUR, scale: 0.01, instance });
    expect(first.skipped).toEqual(['search_terms_hourly']);
    expect(first.generated).toHaveLength(CATALOG.tables.length - 1);
    const second = await generateSampleData({ catalog: CATALOG, dataDir, hour: HOUR, scale: 0.01, instance });
    expect(second).toEqual({ generated: [], skipped: CATALOG.tables.map((table) => table.name) });
  });

  it('is deterministic per hour and differs between hours', async () => {
    const digest = async (dataDir: string, hour = HOUR) =>
      query(
        `SELECT md5(string_agg(CAST(columns(*) AS VARCHAR), '|' ORDER BY ALL)) FROM read_parquet('${fileOf(dataDir, 'device_errors_hourly', hour)}', hive_partitioning = false)`,
      );
    const options = { catalog: CATALOG, hour: HOUR, scale: 0.02, tables: ['device_errors_hourly'], instance };
    await generateSampleData({ ...options, dataDir: join(root, 'a') });
    await generateSampleData({ ...options, dataDir: join(root, 'b') });
    await generateSampleData({ ...options, dataDir: join(root, 'c'), hour: parseHour('2026-11-27T11') });
    expect(await digest(join(root, 'a'))).toEqual(await digest(join(root, 'b')));
    expect(await digest(join(root, 'a'))).not.toEqual(await digest(join(root, 'c'), parseHour('2026-11-27T11')));
  });

  it('writes values consistent with the catalog: types, unique keys, NULLs only where nullable, awkward text, JSON', async () => {
    const dataDir = join(root, 'full');
    for (const table of CATALOG.tables) {
      const file = fileOf(dataDir, table.name);
      const described = await query(
        `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false))`,
      );
      expect(described, table.name).toEqual(table.columns.map((column) => [column.name, sourceColumnType(column)]));
      const key = table.primaryKey.map((name) => `"${name}"`).join(', ');
      const [[rows, distinct]] = (await query(
        `SELECT count(*)::INTEGER, count(DISTINCT (${key}))::INTEGER FROM read_parquet('${file}', hive_partitioning = false)`,
      )) as [[number, number]];
      expect(distinct, `${table.name} primary key`).toBe(rows);
      for (const column of table.columns) {
        const [[nulls]] = (await query(
          `SELECT count(*) FILTER (WHERE "${column.name}" IS NULL)::INTEGER FROM read_parquet('${file}', hive_partitioning = false)`,
        )) as [[number]];
        if (column.nullable) expect(nulls, `${table.name}.${column.name}`).toBeGreaterThan(0);
        else expect(nulls, `${table.name}.${column.name}`).toBe(0);
      }
      expect(
        await query(`SELECT DISTINCT "hour"::VARCHAR FROM read_parquet('${file}', hive_partitioning = false)`),
      ).toEqual([['2026-11-27 10:00:00']]);
    }
    const plays = fileOf(dataDir, 'show_plays_hourly');
    const [awkward] = await query(`SELECT
        count(*) FILTER (WHERE note = '')::INTEGER > 0,
        count(*) FILTER (WHERE contains(note, '"'))::INTEGER > 0,
        count(*) FILTER (WHERE contains(note, ','))::INTEGER > 0,
        count(*) FILTER (WHERE contains(note, chr(10)))::INTEGER > 0,
        count(*) FILTER (WHERE contains(note, '東京'))::INTEGER > 0
      FROM read_parquet('${plays}', hive_partitioning = false)`);
    expect(awkward).toEqual([true, true, true, true, true]);
    const filters = fileOf(dataDir, 'search_terms_hourly');
    expect(
      await query(
        `SELECT bool_and(json_valid(sample_filters) AND json_type(sample_filters) = 'OBJECT') FROM read_parquet('${filters}', hive_partitioning = false) WHERE sample_filters IS NOT NULL`,
      ),
    ).toEqual([[true]]);
    const parts = [
      ['episode_completion_hourly', 'completions', 'starts'],
      ['show_plays_hourly', 'unique_viewers', 'plays'],
      ['ad_impressions_hourly', 'clicks', 'impressions'],
      ['host_earnings_hourly', 'net_amount', 'gross_amount'],
    ] as const;
    for (const [table, part, whole] of parts) {
      expect(
        await query(
          `SELECT bool_and("${part}" <= "${whole}") FROM read_parquet('${fileOf(dataDir, table)}', hive_partitioning = false)`,
        ),
        `${table}.${part} <= ${whole}`,
      ).toEqual([[true]]);
    }
    const rates = fileOf(dataDir, 'episode_completion_hourly');
    expect(
      await query(
        `SELECT min(completion_rate) >= 0 AND max(completion_rate) < 1 FROM read_parquet('${rates}', hive_partitioning = false)`,
      ),
    ).toEqual([[true]]);
  });

  it('refuses an unknown table and a bad scale, writing nothing', async () => {
    const dataDir = join(root, 'refused');
    await expect(generateSampleData({ catalog: CATALOG, dataDir, hour: HOUR, tables: ['nope'] })).rejects.toThrow(
      'unknown catalog table(s): nope',
    );
    await expect(generateSampleData({ catalog: CATALOG, dataDir, hour: HOUR, scale: 0 })).rejects.toThrow(
      'sample data scale must be a positive number',
    );
    expect(await query(`SELECT count(*)::INTEGER FROM glob('${dataDir}/**')`)).toEqual([[0]]);
  });
});
