import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { sql } from 'kysely';
import pg from 'pg';
import { SLOT_LOCK_KEYS } from '../../functions/shared/aurora/import-slots.ts';
import { migrate } from '../../functions/shared/aurora/migrate.ts';
import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import { buildAthenaQuery } from '../../functions/shared/catalog/athena-query.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { loadCatalog } from '../../functions/shared/catalog/load-catalog.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { type ObjectLocation, parseS3Uri } from '../../functions/shared/ports/object-store.ts';
import type { AthenaQueryEngine } from '../../local/athena/athena-port.ts';
import { DuckDbAthena } from '../../local/athena/duckdb-athena.ts';
import { type AthenaFaultPlan, withFaults } from '../../local/athena/fault-injection.ts';
import { DEMO_CATALOG_PATH } from '../../local/cli/common-options.ts';
import { generateSampleData } from '../../local/demo/generate-sample-data.ts';
import { createLocalRuntime, type LocalRuntime } from '../../local/runtime/local-runtime.ts';
import { VirtualClock } from '../../local/stepfunctions/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { ImportProbe } from './import-probe.ts';

/** Heavy tables 3,000 rows an hour, light ones a few hundred: small enough for 20+ trials in seconds. */
export const RELIABILITY_SCALE = 0.02;

/** A seeded PRNG (mulberry32): the same seed gives the same trials on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Athena whose fault plan a test can change between runs. */
class SwitchableAthena implements AthenaQueryEngine {
  readonly base: DuckDbAthena;
  #current: AthenaQueryEngine;

  constructor(base: DuckDbAthena) {
    this.base = base;
    this.#current = base;
  }

  setFaults(plan: AthenaFaultPlan): void {
    this.#current = plan.length === 0 ? this.base : withFaults(this.base, plan);
  }

  execute(...args: Parameters<AthenaQueryEngine['execute']>): ReturnType<AthenaQueryEngine['execute']> {
    return this.#current.execute(...args);
  }
}

/** How the target's rows for an hour compare with the source's, as multisets of whole rows. */
export interface Comparison {
  readonly sourceRows: number;
  readonly targetRows: number;
  /** Source rows not in the target (counting repeats). */
  readonly missing: number;
  /** Target rows not in the source (counting repeats). */
  readonly extra: number;
}

export interface ReliabilityFixture {
  readonly catalog: Catalog;
  readonly dataDir: string;
  readonly probe: ImportProbe;
  readonly runtime: LocalRuntime;
  readonly testDatabase: TestDatabase;
  setAthenaFaults(plan: AthenaFaultPlan): void;
  /** Runs the table-hour's Athena query (no faults) and returns where its result CSV is, as the import gets it. */
  athenaResult(table: string, hour: string): Promise<{ location: ObjectLocation; queryExecutionId: string }>;
  /** Exact multiset comparison of all columns: the lake's Parquet (read by DuckDB) against Aurora's rows. */
  compare(table: string, hour: string): Promise<Comparison>;
  /** A fingerprint of every target table and of the ledger's succeeded rows: equal fingerprints, same data. */
  fingerprint(): Promise<Record<string, string>>;
  /** Counts slot locks held right now, per weight (`pg_locks`). */
  heldSlots(): Promise<{ heavy: number; light: number }>;
  close(): Promise<void>;
}

export async function createReliabilityFixture(hours: readonly string[]): Promise<ReliabilityFixture> {
  const catalog = await loadCatalog(DEMO_CATALOG_PATH);
  const root = await mkdtemp(join(tmpdir(), 'aurora-imports-reliability-'));
  const dataDir = join(root, 's3');
  const stateDir = join(root, 'state');
  const scratch = join(root, 'expected');
  await mkdir(scratch, { recursive: true });
  for (const hour of hours)
    await generateSampleData({ catalog, dataDir, hour: parseHour(hour), scale: RELIABILITY_SCALE });
  const testDatabase = await createTestDatabase('ai_reliability');
  // Room for every import of three overlapping orchestrations: the pool must not be what limits concurrency.
  const inner = createPostgresDatabase({ connectionString: testDatabase.url, config: { max: 24 } });
  await migrate(inner, catalog);
  const probe = await ImportProbe.create(inner, catalog, testDatabase.url);
  const athena = new SwitchableAthena(new DuckDbAthena({ catalog, dataDir }));
  const runtime = await createLocalRuntime({
    stateDir,
    database: probe,
    catalog,
    dataDir,
    athena,
    clock: new VirtualClock({ start: Date.now() }),
    persistBus: false,
  });
  const duck = await DuckDBInstance.create(':memory:');
  const sampler = new pg.Client({ connectionString: testDatabase.url, application_name: 'reliability-sampler' });
  await sampler.connect();
  let exported = 0;

  return {
    catalog,
    dataDir,
    probe,
    runtime,
    testDatabase,
    setAthenaFaults: (plan) => athena.setFaults(plan),
    async athenaResult(table, hour) {
      const spec = catalog.tables.find((candidate) => candidate.name === table)!;
      const execution = await athena.base.execute({
        ...buildAthenaQuery(spec, parseHour(hour)),
        outputLocation: 's3://athena-results/reliability/',
      });
      return {
        location: parseS3Uri(execution.ResultConfiguration.OutputLocation),
        queryExecutionId: execution.QueryExecutionId,
      };
    },
    async compare(table, hour) {
      const spec = catalog.tables.find((candidate) => candidate.name === table);
      if (!spec) throw new Error(`no table ${table}`);
      const columns = spec.columns.map((column) => `"${column.name}"`).join(', ');
      const glob = join(dataDir, 'aggregations-lake', spec.source.database, spec.source.table, '**', '*.parquet');
      exported += 1;
      const file = join(scratch, `expected-${exported}.csv`);
      const connection = await duck.connect();
      await connection.run(
        `COPY (SELECT ${columns} FROM read_parquet('${glob}', hive_partitioning = false) WHERE "${spec.partitionColumn}" = TIMESTAMP '${hour.replace('T', ' ')}:00:00') TO '${file}' (FORMAT csv, HEADER true)`,
      );
      connection.closeSync();
      return inner.transaction(async (tx) => {
        await sql`set local timezone = 'UTC'`.execute(tx.db);
        await sql.raw(`create temp table expected_rows (like "${table}") on commit drop`).execute(tx.db);
        await tx.copyFrom('expected_rows', createReadStream(file));
        const target = `select ${columns} from "${table}" where "${spec.partitionColumn}" = '${hour}:00:00+00'`;
        const counts = await sql
          .raw<{ source_rows: string; target_rows: string; missing: string; extra: string }>(
            `select (select count(*) from expected_rows) as source_rows,
                    (select count(*) from (${target}) t) as target_rows,
                    (select count(*) from (select ${columns} from expected_rows except all ${target}) m) as missing,
                    (select count(*) from (${target} except all select ${columns} from expected_rows) e) as extra`,
          )
          .execute(tx.db);
        const row = counts.rows[0]!;
        return {
          sourceRows: Number(row.source_rows),
          targetRows: Number(row.target_rows),
          missing: Number(row.missing),
          extra: Number(row.extra),
        };
      });
    },
    async fingerprint() {
      const result: Record<string, string> = {};
      for (const spec of catalog.tables) {
        const { rows } = await sql
          .raw<{ rows: string; digest: string | null }>(
            `select count(*) as rows, md5(string_agg(t::text, '|' order by t::text)) as digest from "${spec.name}" t`,
          )
          .execute(inner.db);
        result[spec.name] = `${rows[0]!.rows}:${rows[0]!.digest ?? '-'}`;
      }
      const { rows } = await sql
        .raw<{ rows: string }>(`select count(*) as rows from import_ledger where status = 'succeeded'`)
        .execute(inner.db);
      result.import_ledger_succeeded = rows[0]!.rows;
      return result;
    },
    async heldSlots() {
      const { rows } = await sampler.query<{ classid: string; held: string }>(
        "select classid::bigint::text as classid, count(*)::text as held from pg_locks where locktype = 'advisory' and objsubid = 2 and granted and classid::bigint in ($1, $2) and database = (select oid from pg_database where datname = current_database()) group by classid",
        [SLOT_LOCK_KEYS.heavy, SLOT_LOCK_KEYS.light],
      );
      const held = (key: number) => Number(rows.find((row) => Number(row.classid) === key)?.held ?? 0);
      return { heavy: held(SLOT_LOCK_KEYS.heavy), light: held(SLOT_LOCK_KEYS.light) };
    },
    async close() {
      await runtime.close();
      await athena.base.close();
      duck.closeSync();
      await sampler.end();
      await probe.close();
      await testDatabase.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
