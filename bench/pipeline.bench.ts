/**
 * `npm run bench:pipeline [-- --scales 1,10]`: the demo hour end to end on the local PostgreSQL (EMR-free: the
 * orchestrator started for the hour), next to the bare `load` of the same tables (the import core on the same
 * Athena result CSVs), as a ratio: what orchestration, Athena and events cost on top of loading. Peak RSS of the
 * process. Real clock, real DuckDB, real PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { importResult } from '../functions/s3-import-to-aurora/import-result.ts';
import { migrate } from '../functions/shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../functions/shared/aurora/postgres-database.ts';
import { buildAthenaQuery } from '../functions/shared/catalog/athena-query.ts';
import { loadCatalog } from '../functions/shared/catalog/load-catalog.ts';
import { parseHour } from '../functions/shared/hour.ts';
import { parseS3Uri } from '../functions/shared/ports/object-store.ts';
import { DuckDbAthena } from '../local/athena/duckdb-athena.ts';
import { DEMO_CATALOG_PATH } from '../local/cli/common-options.ts';
import { generateSampleData } from '../local/demo/generate-sample-data.ts';
import { LOCAL_ATHENA_OUTPUT_LOCATION } from '../local/runtime/local-functions.ts';
import { createLocalRuntime } from '../local/runtime/local-runtime.ts';
import { FolderObjectStore } from '../local/s3/folder-object-store.ts';

const { values } = parseArgs({ options: { scales: { type: 'string', default: '1,10' }, url: { type: 'string' } } });
const adminUrl = values.url ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const HOUR = parseHour('2026-11-27T10');

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const catalog = await loadCatalog(DEMO_CATALOG_PATH);
const rows: string[][] = [];

for (const scale of values.scales.split(',').map(Number)) {
  const root = await mkdtemp(join(tmpdir(), 'bench-pipeline-'));
  const dataDir = join(root, 's3');
  const generated = await generateSampleData({ catalog, dataDir, hour: HOUR, scale });
  const totalRows = generated.generated.reduce((sum, table) => sum + table.rows, 0);

  // End to end: orchestrator → per-table imports (Athena on DuckDB, COPY + merge into PostgreSQL) → events.
  await admin('DROP DATABASE IF EXISTS bench_pipeline_e2e WITH (FORCE)');
  await admin('CREATE DATABASE bench_pipeline_e2e');
  const runtime = await createLocalRuntime({
    stateDir: join(root, 'state'),
    databaseUrl: databaseUrl('bench_pipeline_e2e'),
    catalog,
    dataDir,
    persistBus: false,
  });
  let started = performance.now();
  const result = await runtime.runHour({ hour: HOUR.text });
  const endToEndMs = performance.now() - started;
  await runtime.close();
  if (result.status !== 'SUCCEEDED') throw new Error(`pipeline ${result.status}: ${result.error} ${result.cause}`);

  // Bare loads: the same Athena results, straight through the import core, one table after another.
  const athena = new DuckDbAthena({ catalog, dataDir });
  const results: { table: string; location: ReturnType<typeof parseS3Uri>; id: string }[] = [];
  started = performance.now();
  for (const table of catalog.tables) {
    const query = buildAthenaQuery(table, HOUR);
    const execution = await athena.execute({ ...query, outputLocation: LOCAL_ATHENA_OUTPUT_LOCATION });
    results.push({
      table: table.name,
      location: parseS3Uri(execution.ResultConfiguration.OutputLocation),
      id: execution.QueryExecutionId,
    });
  }
  const athenaMs = performance.now() - started;
  await athena.close();
  await admin('DROP DATABASE IF EXISTS bench_pipeline_load WITH (FORCE)');
  await admin('CREATE DATABASE bench_pipeline_load');
  const database = createPostgresDatabase({ connectionString: databaseUrl('bench_pipeline_load') });
  await migrate(database, catalog);
  const objectStore = new FolderObjectStore(dataDir);
  let loadMs = 0;
  for (const { table, location, id } of results) {
    const t = performance.now();
    await importResult({
      catalog,
      database,
      objectStore,
      table,
      hour: HOUR,
      resultLocation: location,
      queryExecutionId: id,
    });
    loadMs += performance.now() - t;
  }
  await database.close();
  await rm(root, { recursive: true, force: true });
  rows.push([
    `${scale}`,
    `${totalRows}`,
    seconds(endToEndMs),
    seconds(loadMs),
    seconds(athenaMs),
    (endToEndMs / loadMs).toFixed(2),
    (endToEndMs / (loadMs + athenaMs)).toFixed(2),
    `${Math.round(process.resourceUsage().maxRSS / 1024)}`,
  ]);
}
await admin('DROP DATABASE IF EXISTS bench_pipeline_e2e WITH (FORCE)');
await admin('DROP DATABASE IF EXISTS bench_pipeline_load WITH (FORCE)');

const header = [
  'scale',
  'rows',
  'end-to-end s',
  'sum of bare loads s',
  'Athena (DuckDB) s',
  'e2e / loads',
  'e2e / (loads + Athena)',
  'peak RSS MB',
];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
