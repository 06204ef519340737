import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catchUpExecutionName, runCatchUp } from '../../functions/catch-up/catch-up.ts';
import { createCatchUpFunction } from '../../functions/catch-up/catch-up-function.ts';
import { findLedgerGaps } from '../../functions/catch-up/ledger-gaps.ts';
import type { OrchestrationInput, OrchestrationStarter } from '../../functions/catch-up/orchestration-starter.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { MemoryMetricsSink } from '../../functions/shared/runtime/metrics-sink.ts';
import { LocalOrchestrationStarter } from '../../local/runtime/local-orchestration-starter.ts';
import { LocalSourceDataProbe } from '../../local/runtime/local-source-data-probe.ts';
import { createPipelineFixture, type PipelineFixture, publishedEvents } from '../pipeline/pipeline-support.ts';

// Data for 10, 11, 12; hour 13 has none. The sweep runs at 14:20 with a 4-hour window: 10..13.
const WITH_DATA = ['2026-11-27T10', '2026-11-27T11', '2026-11-27T12'];
const NO_DATA = '2026-11-27T13';
const SWEEP_TIME = new Date('2026-11-27T14:20:00Z');
const ENV = { CATCH_UP_WINDOW_HOURS: '4', CATCH_UP_MAX_HOURS_PER_RUN: '6' };

let fixture: PipelineFixture;
let tables: string[];

/** Records starts without running anything. */
class RecordingStarter implements OrchestrationStarter {
  readonly calls: { input: OrchestrationInput; name: string }[] = [];
  async start(input: OrchestrationInput, name: string) {
    this.calls.push({ input, name });
    return { executionArn: `arn:test:${name}`, alreadyStarted: false };
  }
}

beforeAll(async () => {
  fixture = await createPipelineFixture(WITH_DATA);
  tables = fixture.catalog.tables.map((table) => table.name);
  const runtime = await fixture.runtime();
  // 10: fully imported. 11: all but search_terms_hourly, whose last attempt failed.
  expect((await runtime.runHour({ hour: WITH_DATA[0]! })).status).toBe('SUCCEEDED');
  const result = await runtime.runHour({
    hour: WITH_DATA[1]!,
    tables: tables.filter((table) => table !== 'search_terms_hourly'),
  });
  expect(result.status).toBe('SUCCEEDED');
  const at = new Date('2026-11-27T12:05:00Z');
  await fixture.database.db
    .insertInto('import_ledger')
    .values({
      table_name: 'search_terms_hourly',
      hour: parseHour(WITH_DATA[1]!).start,
      source: null,
      attempt: 1,
      status: 'failed',
      rows_inserted: 0,
      rows_updated: 0,
      rows_deleted: 0,
      bytes: 0,
      duration_ms: 10,
      query_execution_id: null,
      execution_arn: null,
      error_name: 'ImportTransientError',
      error_message: 'connection lost',
      started_at: at,
      finished_at: at,
    })
    .execute();
}, 120_000);

afterAll(async () => {
  await fixture?.close();
});

function deps(starter: OrchestrationStarter, env: Record<string, string> = ENV) {
  return {
    catalog: fixture.catalog,
    database: async () => fixture.database,
    probe: new LocalSourceDataProbe({ dataDir: fixture.dataDir }),
    starter,
    config: {
      windowHours: Number(env.CATCH_UP_WINDOW_HOURS),
      maxHoursPerRun: Number(env.CATCH_UP_MAX_HOURS_PER_RUN),
      maxAttempts: Number(env.CATCH_UP_MAX_ATTEMPTS ?? 3),
    },
  };
}

describe('the catch-up sweep on real PostgreSQL and the local lake', () => {
  it('finds failed and missing table-hours, starts only those with source data, oldest hour first', async () => {
    const starter = new RecordingStarter();
    const report = await runCatchUp(deps(starter), SWEEP_TIME);
    expect(report.window).toEqual({ from: '2026-11-27T10', to: '2026-11-27T13' });
    // 11: one failed; 12: six missing; 13: six missing without data.
    expect(report.gapsFound).toBe(13);
    expect(report.gaps.find((gap) => gap.hour === WITH_DATA[1])).toEqual({
      table: 'search_terms_hourly',
      hour: WITH_DATA[1],
      status: 'failed',
      failedAttempts: 1,
    });
    expect(starter.calls).toEqual([
      {
        input: { hour: WITH_DATA[1], tables: ['search_terms_hourly'] },
        name: catchUpExecutionName(WITH_DATA[1]!, parseHour('2026-11-27T14')),
      },
      { input: { hour: WITH_DATA[2], tables }, name: 'catch-up-2026-11-27T12-2026112714' },
    ]);
    expect(report.started.map((s) => s.hour)).toEqual([WITH_DATA[1], WITH_DATA[2]]);
    expect(report.skippedNoData).toEqual(tables.map((table) => ({ hour: NO_DATA, table })));
    expect(report.deferred).toEqual([]);
    expect(report.exhaustedAttempts).toEqual([]);
  });

  it('leaves a table-hour that failed CATCH_UP_MAX_ATTEMPTS times to an operator', async () => {
    const starter = new RecordingStarter();
    const report = await runCatchUp(deps(starter, { ...ENV, CATCH_UP_MAX_ATTEMPTS: '1' }), SWEEP_TIME);
    expect(report.exhaustedAttempts).toEqual([{ hour: WITH_DATA[1], table: 'search_terms_hourly', failedAttempts: 1 }]);
    expect(starter.calls.map((call) => call.input.hour)).toEqual([WITH_DATA[2]]);
  });

  it('starts at most CATCH_UP_MAX_HOURS_PER_RUN hours and reports the rest as deferred', async () => {
    const starter = new RecordingStarter();
    const report = await runCatchUp(deps(starter, { ...ENV, CATCH_UP_MAX_HOURS_PER_RUN: '1' }), SWEEP_TIME);
    expect(starter.calls.map((call) => call.input.hour)).toEqual([WITH_DATA[1]]);
    expect(report.deferred).toEqual([{ hour: WITH_DATA[2], tables }]);
  });

  it('runs the started hours on the local runtime: afterwards no hour with data has a gap, and a second sweep starts nothing', async () => {
    const runtime = await fixture.runtime();
    const starter = new LocalOrchestrationStarter(runtime);
    const metrics = new MemoryMetricsSink();
    const catchUp = createCatchUpFunction({
      catalog: fixture.catalog,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics,
      publisher: runtime.publisher,
      objectStore: runtime.objectStore,
      database: async () => fixture.database,
      env: ENV,
      probe: new LocalSourceDataProbe({ dataDir: fixture.dataDir }),
      starter,
    });
    const report = await catchUp(
      { source: 'aurora-imports.catch-up', scheduledTime: SWEEP_TIME.toISOString() },
      { remainingTimeMs: () => Number.POSITIVE_INFINITY },
    );
    expect(report.started.map((s) => [s.hour, s.tables.length, s.alreadyStarted])).toEqual([
      [WITH_DATA[1], 1, false],
      [WITH_DATA[2], 6, false],
    ]);
    expect(report.started[0]!.executionArn).toContain(':execution:orchestrateAuroraImports:catch-up-2026-11-27T11-');
    // One after another: the first orchestration ended before the second started.
    const [first, second] = starter.finished;
    expect(first!.status).toBe('SUCCEEDED');
    expect(second!.status).toBe('SUCCEEDED');
    expect(first!.stopDate!.getTime()).toBeLessThanOrEqual(second!.startDate.getTime());
    expect(metrics.total('CatchUpHoursStarted')).toBe(2);

    const gaps = await findLedgerGaps(fixture.database.db, tables, {
      from: parseHour(WITH_DATA[0]!),
      to: parseHour(WITH_DATA[2]!),
    });
    expect(gaps).toEqual([]);
    for (const table of tables) {
      expect(await fixture.targetRows(table, WITH_DATA[2]!)).toBe(await fixture.sourceRows(table, WITH_DATA[2]!));
    }
    const completed = publishedEvents(runtime).filter((e) => e.detailType === 'Orchestration Completed');
    expect(completed.map((e) => e.detail.hour)).toEqual([WITH_DATA[1], WITH_DATA[2]]);

    const again = await catchUp(
      { scheduledTime: SWEEP_TIME.toISOString() },
      { remainingTimeMs: () => Number.POSITIVE_INFINITY },
    );
    expect(again.started).toEqual([]);
    expect(again.gapsFound).toBe(6);
    expect(again.skippedNoData).toHaveLength(6);
  });

  it('the local starter reports a name already used as already started', async () => {
    const runtime = await fixture.runtime();
    const starter = new LocalOrchestrationStarter(runtime);
    const first = await starter.start({ hour: WITH_DATA[0]!, tables: ['device_errors_hourly'] }, 'catch-up-twice');
    const second = await starter.start({ hour: WITH_DATA[0]!, tables: ['device_errors_hourly'] }, 'catch-up-twice');
    expect(second).toEqual({ executionArn: first.executionArn, alreadyStarted: true });
  });
});
