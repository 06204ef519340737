/**
 * `npm run bench:import [-- --rows N] [--database-url URL] [--keep-file]`
 *
 * On the local PostgreSQL, side by side in one run, loading N rows (default 1,000,000) of an hourly aggregation
 * into an empty table with a primary key:
 *   ours    the import core (`importResult`: header check, COPY into staging, hour and key checks, merge, ledger)
 *   floor   hand-written: COPY into a temp table, then INSERT ... SELECT ... ON CONFLICT DO UPDATE
 *   values  Kysely multi-row VALUES ... ON CONFLICT DO UPDATE, 1,000 rows per statement, one transaction
 *   copy    raw COPY into the empty table, no upsert (the floor any import pays)
 * then a second pass of ours and of the floor over the same file (every key conflicts, nothing changed).
 * Prints rows/s, the ratios, and the peak RSS of our path (measured before any other path runs).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { importResult } from '../functions/s3-import-to-aurora/import-result.ts';
import type { AuroraDatabase } from '../functions/shared/aurora/aurora-database.ts';
import { migrate } from '../functions/shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../functions/shared/aurora/postgres-database.ts';
import type { Catalog, TableSpec } from '../functions/shared/catalog/catalog-types.ts';
import { parseCatalog } from '../functions/shared/catalog/load-catalog.ts';
import { FolderObjectStore } from '../local/s3/folder-object-store.ts';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'database-url': {
      type: 'string',
      default: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    },
    'keep-file': { type: 'boolean', default: false },
  },
});
const ROWS = Number(flags.rows?.replace(/_/g, ''));
if (!Number.isInteger(ROWS) || ROWS < 1) throw new Error(`--rows must be a positive integer, got ${flags.rows}`);
const ADMIN_URL = flags['database-url']!;
const HOUR = '2026-11-27T10';
const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'BR', 'JP', 'IN', 'CA', 'MX', 'ES'];

function tableSpec(name: string): Record<string, unknown> {
  return {
    name,
    source: { database: 'aggregations', table: 'show_plays_hourly' },
    partitionColumn: 'hour',
    columns: [
      { name: 'show_id', type: 'bigint' },
      { name: 'hour', type: 'timestamptz' },
      { name: 'country', type: 'text' },
      { name: 'plays', type: 'bigint' },
      { name: 'unique_viewers', type: 'integer' },
      { name: 'watch_seconds', type: 'double' },
      { name: 'note', type: 'text', nullable: true },
    ],
    primaryKey: ['show_id', 'hour', 'country'],
    weight: 'heavy',
    mode: 'upsert',
    producedBy: 'hourly-aggregations',
  };
}

const PATHS = ['ours', 'floor', 'values', 'copy'] as const;
const catalog: Catalog = parseCatalog({ tables: PATHS.map((path) => tableSpec(`bench_${path}`)) }, 'bench-catalog');

interface Row {
  show_id: number;
  hour: string;
  country: string;
  plays: number;
  unique_viewers: number;
  watch_seconds: number;
  note: string | null;
}

/** Row i of the data set: deterministic, unique (show_id, country), about 70 bytes of CSV. */
function row(i: number): Row {
  const plays = (i * 7919) % 100_000;
  return {
    show_id: Math.floor(i / COUNTRIES.length) + 1,
    hour: '2026-11-27 10:00:00.000',
    country: COUNTRIES[i % COUNTRIES.length]!,
    plays,
    unique_viewers: Math.floor(plays / 3),
    watch_seconds: plays * 61.25,
    note: i % 5 === 0 ? null : i % 5 === 1 ? '' : `n${i % 97}`,
  };
}

function csvLine(r: Row): string {
  const note = r.note === null ? '' : `"${r.note}"`;
  return `"${r.show_id}","${r.hour}","${r.country}","${r.plays}","${r.unique_viewers}","${r.watch_seconds}",${note}\n`;
}

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('"show_id","hour","country","plays","unique_viewers","watch_seconds","note"\n');
  let buffer = '';
  for (let i = 0; i < ROWS; i++) {
    buffer += csvLine(row(i));
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

async function admin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

async function floorPath(url: string, table: TableSpec, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = table.columns.map((column) => column.name);
    const values = columns.filter((column) => !table.primaryKey.includes(column));
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE floor_staging (LIKE ${table.name}) ON COMMIT DROP`);
    await pipeline(
      createReadStream(file, { highWaterMark: 256 * 1024 }),
      client.query(copyFrom('COPY floor_staging FROM STDIN (FORMAT csv, HEADER true)')),
    );
    await client.query(
      `INSERT INTO ${table.name} SELECT * FROM floor_staging ON CONFLICT (${table.primaryKey.join(', ')}) DO UPDATE SET ${values
        .map((column) => `${column} = excluded.${column}`)
        .join(', ')}`,
    );
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

async function valuesPath(database: AuroraDatabase, table: TableSpec): Promise<void> {
  const batch = 1_000;
  const values = table.columns.map((column) => column.name).filter((column) => !table.primaryKey.includes(column));
  await database.transaction(async (tx) => {
    const db = tx.db as unknown as Kysely<Record<string, Row>>;
    for (let start = 0; start < ROWS; start += batch) {
      const rows: Row[] = [];
      for (let i = start; i < Math.min(ROWS, start + batch); i++) rows.push(row(i));
      await db
        .insertInto(table.name)
        .values(rows)
        .onConflict((conflict) =>
          conflict
            .columns(['show_id', 'hour', 'country'])
            .doUpdateSet(Object.fromEntries(values.map((column) => [column, sql.ref(`excluded.${column}`)]))),
        )
        .execute();
    }
  });
}

async function rawCopyPath(url: string, table: TableSpec, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await pipeline(
      createReadStream(file, { highWaterMark: 256 * 1024 }),
      client.query(copyFrom(`COPY ${table.name} FROM STDIN (FORMAT csv, HEADER true)`)),
    );
  } finally {
    await client.end();
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-import-'));
  const store = new FolderObjectStore(dir);
  const file = join(dir, 'results', 'bench.csv');
  const dbName = `ai_bench_${process.pid}`;
  const url = (() => {
    const parsed = new URL(ADMIN_URL);
    parsed.pathname = `/${dbName}`;
    return parsed.toString();
  })();
  await admin(`CREATE DATABASE ${dbName} TEMPLATE template0`);
  const database = createPostgresDatabase({ connectionString: url });
  try {
    await mkdir(join(dir, 'results'));
    process.stderr.write(`writing ${ROWS.toLocaleString('en-US')} rows of Athena CSV...\n`);
    await writeCsv(file);
    const bytes = (await stat(file)).size;
    await migrate(database, catalog);
    const tables = Object.fromEntries(catalog.tables.map((table) => [table.name, table])) as Record<string, TableSpec>;

    const rssBefore = process.memoryUsage().rss;
    const runOurs = (force: boolean) =>
      importResult({
        catalog,
        database,
        objectStore: store,
        table: 'bench_ours',
        hour: HOUR,
        resultLocation: { bucket: 'results', key: 'bench.csv' },
        queryExecutionId: 'bench',
        source: 'bench',
        force,
      });
    // Peak RSS is sampled while our path runs: maxRSS of the process would include the CSV writer above.
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    process.stderr.write('ours...\n');
    const ours = await timed(() => runOurs(false));
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    process.stderr.write('floor...\n');
    const floor = await timed(() => floorPath(url, tables.bench_floor!, file));
    process.stderr.write('Kysely VALUES...\n');
    const values = await timed(() => valuesPath(database, tables.bench_values!));
    process.stderr.write('raw COPY...\n');
    const copy = await timed(() => rawCopyPath(url, tables.bench_copy!, file));
    process.stderr.write('second passes (every key conflicts, nothing changed)...\n');
    const ours2 = await timed(() => runOurs(true));
    const floor2 = await timed(() => floorPath(url, tables.bench_floor!, file));

    const rate = (seconds: number) => ROWS / seconds;
    const line = (name: string, seconds: number, reference = floor) =>
      `| ${name.padEnd(58)} | ${seconds.toFixed(2).padStart(7)} | ${Math.round(rate(seconds)).toLocaleString('en-US').padStart(9)} | ${(reference / seconds).toFixed(2).padStart(8)} |`;
    const out = [
      `rows: ${ROWS.toLocaleString('en-US')}, CSV ${mb(bytes)}, PostgreSQL ${(await sql<{ server_version: string }>`show server_version`.execute(database.db)).rows[0]?.server_version}, node ${process.version}`,
      '',
      `| ${'path (first load into an empty table with a primary key)'.padEnd(58)} | ${'seconds'.padStart(7)} | ${'rows/s'.padStart(9)} | ${'vs floor'.padStart(8)} |`,
      `|${'-'.repeat(60)}|${'-'.repeat(9)}:|${'-'.repeat(11)}:|${'-'.repeat(10)}:|`,
      line('ours: aurora-imports load path (importResult)', ours),
      line('floor: COPY to temp table + INSERT ... SELECT ON CONFLICT', floor),
      line('Kysely multi-row VALUES, 1,000 per statement', values),
      line('raw COPY into the empty table, no upsert', copy),
      line('ours, second pass (all keys conflict, nothing changed)', ours2, floor2),
      line('floor, second pass (all keys conflict, all rewritten)', floor2, floor2),
      '',
      `ours / floor: ${(floor / ours).toFixed(2)}x (goal >= 0.9)   ours / Kysely VALUES: ${(values / ours).toFixed(2)}x (goal >= 2.5)`,
      `peak RSS during ours: ${mb(peakRss)} (before: ${mb(rssBefore)}; goal < 200 MB, flat in N)`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    if (!flags['keep-file']) await rm(dir, { recursive: true, force: true });
  }
}

await main();
