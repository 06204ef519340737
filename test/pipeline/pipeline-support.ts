import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AuroraDatabase } from '../../functions/shared/aurora/aurora-database.ts';
import { migrate } from '../../functions/shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { loadCatalog } from '../../functions/shared/catalog/load-catalog.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { DuckDbAthena } from '../../local/athena/duckdb-athena.ts';
import { type AthenaFaultPlan, withFaults } from '../../local/athena/fault-injection.ts';
import { DEMO_CATALOG_PATH } from '../../local/cli/common-options.ts';
import { generateSampleData } from '../../local/demo/generate-sample-data.ts';
import { createLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime.ts';
import { VirtualClock } from '../../local/stepfunctions/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

/** Sample data small enough for a fast suite: heavy tables 3,000 rows, light ones a few hundred. */
export const TEST_SCALE = 0.02;

/** One lake (sample data for some hours) and one fresh PostgreSQL database, shared by a suite. */
export interface PipelineFixture {
  readonly catalog: Catalog;
  readonly dataDir: string;
  readonly stateDir: string;
  readonly database: AuroraDatabase;
  readonly testDatabase: TestDatabase;
  /** A runtime on this fixture, with its own Athena (optionally with faults) and a virtual clock. */
  runtime(options?: {
    faults?: AthenaFaultPlan;
    lightMaxConcurrency?: number;
  }): Promise<LocalRuntime & { athena: DuckDbAthena }>;
  /** Rows of a catalog table in the lake for an hour, and in Aurora: to compare contents. */
  sourceRows(table: string, hour: string): Promise<number>;
  targetRows(table: string, hour: string): Promise<number>;
  close(): Promise<void>;
}

export async function createPipelineFixture(hours: readonly string[]): Promise<PipelineFixture> {
  const catalog = await loadCatalog(DEMO_CATALOG_PATH);
  const root = await mkdtemp(join(tmpdir(), 'aurora-imports-pipeline-'));
  const dataDir = join(root, 's3');
  const stateDir = join(root, 'state');
  for (const hour of hours) await generateSampleData({ catalog, dataDir, hour: parseHour(hour), scale: TEST_SCALE });
  const testDatabase = await createTestDatabase();
  const database = createPostgresDatabase({ connectionString: testDatabase.url });
  await migrate(database, catalog);
  const duck = await DuckDBInstance.create(':memory:');
  const opened: (LocalRuntime & { athena: DuckDbAthena })[] = [];
  return {
    catalog,
    dataDir,
    stateDir,
    database,
    testDatabase,
    async runtime(options = {}) {
      const athena = new DuckDbAthena({ catalog, dataDir });
      const runtime = await createLocalRuntime({
        stateDir,
        database,
        catalog,
        dataDir,
        athena: options.faults ? withFaults(athena, options.faults) : athena,
        clock: new VirtualClock({ start: Date.now() }),
        persistBus: false,
        ...(options.lightMaxConcurrency ? { lightMaxConcurrency: options.lightMaxConcurrency } : {}),
      });
      const withAthena = Object.assign(runtime, { athena });
      opened.push(withAthena);
      return withAthena;
    },
    async sourceRows(table, hour) {
      const spec = catalog.tables.find((t) => t.name === table)!;
      const connection = await duck.connect();
      const glob = join(dataDir, 'aggregations-lake', spec.source.database, spec.source.table, '**', '*.parquet');
      const reader = await connection.runAndReadAll(
        `SELECT count(*) FROM read_parquet('${glob}', hive_partitioning = false) WHERE "${spec.partitionColumn}" = TIMESTAMP '${hour.replace('T', ' ')}:00:00'`,
      );
      connection.closeSync();
      return Number(reader.getRows()[0]![0]);
    },
    async targetRows(table, hour) {
      const result = await database.db
        .selectFrom(table as 'import_ledger')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('hour', '=', parseHour(hour).start)
        .executeTakeFirstOrThrow();
      return Number(result.count);
    },
    async close() {
      for (const runtime of opened) {
        await runtime.close();
        await runtime.athena.close();
      }
      duck.closeSync();
      await database.close();
      await testDatabase.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The events our functions published on the runtime's import bus, as subscribers receive them. */
export function publishedEvents(runtime: LocalRuntime): { detailType: string; detail: Record<string, unknown> }[] {
  return runtime.bus.archivedEvents('aurora-imports').map(({ event }) => ({
    detailType: String(event['detail-type']),
    detail: event.detail as Record<string, unknown>,
  }));
}
