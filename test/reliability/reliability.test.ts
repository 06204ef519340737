import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importResult } from '../../functions/s3-import-to-aurora/import-result.ts';
import { SLOT_LOCK_KEYS } from '../../functions/shared/aurora/import-slots.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { LocalQueue } from '../../local/eventbridge/local-queue.ts';
import { functionTarget } from '../../local/eventbridge/targets.ts';
import { runBackfill } from '../../local/runtime/backfill.ts';
import { emrStepCompletedEvent } from '../../local/runtime/emr-trigger.ts';
import { IMPORT_STATE_MACHINE_NAME } from '../../local/runtime/local-functions.ts';
import { LocalSourceDataProbe } from '../../local/runtime/local-source-data-probe.ts';
import type { ExecutionHandle, HistoryEvent } from '../../local/stepfunctions/index.ts';
import type { FaultPoint } from './import-probe.ts';
import { renderTrials, type TrialRow, writeTrialsReport } from './reliability-report.ts';
import { createReliabilityFixture, type ReliabilityFixture, seededRandom } from './reliability-support.ts';

const SEED = 20261127;
const day = (hh: number) => `2026-11-27T${String(hh).padStart(2, '0')}`;
/** 4 hours × 6 tables = 24 table-hours, one kill trial each. */
const KILL_HOURS = [day(0), day(1), day(2), day(3)];
const ABORT_ATHENA_HOUR = day(4);
const DLQ_HOUR = day(5);
const DUPLICATE_HOUR = day(6);
const OVERLAP_EMR_HOURS = [day(7), day(8)];
const OVERLAP_BACKFILL_HOURS = [day(9), day(10)];
const CORE_HOUR = day(11);
/** Crafted CSVs only: no lake data for this hour. */
const BAD_HOUR = day(22);
const KILL_POINTS: readonly FaultPoint[] = ['copy-start', 'mid-copy', 'merge', 'before-commit'];
const POINT_TEXT: Record<FaultPoint, string> = {
  'copy-start': 'backend killed as COPY starts',
  'mid-copy': 'backend killed during COPY',
  merge: 'backend killed during the merge statement',
  'before-commit': 'backend killed just before COMMIT (merge and ledger row done)',
};

let fixture: ReliabilityFixture;
const sections = new Map<string, TrialRow[]>();

function record(section: string, row: Omit<TrialRow, 'result'>, passed: boolean): void {
  const rows = sections.get(section) ?? [];
  rows.push({ ...row, result: passed ? 'pass' : 'FAIL' });
  sections.set(section, rows);
}

/** Runs `check`, records the row (pass or FAIL) and rethrows a failure so the test fails too. */
async function trial(section: string, row: Omit<TrialRow, 'result'>, check: () => Promise<string>): Promise<void> {
  try {
    const outcome = await check();
    record(section, { ...row, outcome: outcome || row.outcome }, true);
  } catch (error) {
    record(section, { ...row, outcome: `${row.outcome}: ${(error as Error).message.split('\n')[0]}` }, false);
    throw error;
  }
}

/** Errors of failed Lambda attempts inside import executions while `work` runs. */
async function importFailures<T>(work: () => Promise<T>): Promise<{ result: T; errors: string[] }> {
  const errors: string[] = [];
  const unsubscribe = fixture.runtime.engine.onEvent((event: HistoryEvent) => {
    if (
      event.type === 'TaskFailed' &&
      event.details?.resourceType === 'lambda' &&
      event.executionArn.includes(`:${IMPORT_STATE_MACHINE_NAME}:`)
    )
      errors.push(String(event.details?.error));
  });
  try {
    return { result: await work(), errors };
  } finally {
    unsubscribe();
  }
}

/** The error `work` rejects with; resolving is a test failure. */
async function failure(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected the import to fail, it succeeded');
}

async function expectEqualToSource(table: string, hour: string): Promise<number> {
  const comparison = await fixture.compare(table, hour);
  expect(comparison.sourceRows, `${table} ${hour} has source rows`).toBeGreaterThan(0);
  expect(comparison, `${table} ${hour}: target = source`).toEqual({
    sourceRows: comparison.sourceRows,
    targetRows: comparison.sourceRows,
    missing: 0,
    extra: 0,
  });
  return comparison.sourceRows;
}

async function ledger(table: string, hour: string) {
  return fixture.runtime.database.db
    .selectFrom('import_ledger')
    .select(['status', 'attempt', 'error_name', 'source'])
    .where('table_name', '=', table)
    .where('hour', '=', parseHour(hour).start)
    .orderBy('id')
    .execute();
}

function statuses(rows: { status: string; error_name: string | null }[]): string {
  return rows.map((row) => (row.error_name ? `${row.status} (${row.error_name})` : row.status)).join(', ');
}

beforeAll(async () => {
  fixture = await createReliabilityFixture([
    ...KILL_HOURS,
    ABORT_ATHENA_HOUR,
    DLQ_HOUR,
    DUPLICATE_HOUR,
    ...OVERLAP_EMR_HOURS,
    ...OVERLAP_BACKFILL_HOURS,
    CORE_HOUR,
  ]);
});

afterAll(async () => {
  await fixture?.close();
  // Only a complete run publishes: a filtered or interrupted run would replace the table with a part of it.
  const expected = [
    'Backend killed at random points',
    'Stopped executions, Athena failures, lost triggers',
    'Duplicates and concurrency',
    'Global slots under overlap',
    'Bad input',
  ];
  if (expected.every((title) => sections.has(title))) await writeTrialsReport(renderTrials(sections, SEED));
});

describe('killing the import backend at random points: the retry leaves the table exactly equal to the source', () => {
  const random = seededRandom(SEED);
  const tableHours = KILL_HOURS.flatMap((hour) =>
    [
      'show_plays_hourly',
      'episode_completion_hourly',
      'host_earnings_hourly',
      'ad_impressions_hourly',
      'search_terms_hourly',
      'device_errors_hourly',
    ].map((table) => ({ table, hour })),
  );
  const plan = tableHours.map(({ table, hour }, index) => {
    const point = KILL_POINTS[Math.floor(random() * KILL_POINTS.length)]!;
    const chunk = 1 + Math.floor(random() * 3);
    return { index: index + 1, table, hour, point, chunk };
  });

  for (const { index, table, hour, point, chunk } of plan) {
    const fault = point === 'mid-copy' ? `${POINT_TEXT[point]} (after chunk ${chunk})` : POINT_TEXT[point];
    it(`trial ${index}: ${table} ${hour}, ${fault}`, async () => {
      await trial(
        'Backend killed at random points',
        { trial: `${index}: ${table} ${hour}`, fault, outcome: '' },
        async () => {
          fixture.probe.arm({ table, hour, point, chunk, action: 'kill' });
          const { result, errors } = await importFailures(() => fixture.runtime.runHour({ hour, tables: [table] }));
          expect(fixture.probe.armed, 'the fault fired').toBeUndefined();
          expect(result.status, result.cause).toBe('SUCCEEDED');
          expect(errors).toEqual(['ImportTransientError']);
          const rows = await expectEqualToSource(table, hour);
          const entries = await ledger(table, hour);
          expect(entries.map((entry) => entry.status)).toEqual(['failed', 'succeeded']);
          return `1st attempt ${errors[0]}, retried by the state machine; ${rows} rows = source; ledger: ${statuses(entries)}`;
        },
      );
    });
  }
});

describe('stopped executions, Athena failures and lost triggers', () => {
  const section = 'Stopped executions, Athena failures, lost triggers';

  for (const [table, point] of [
    ['show_plays_hourly', 'mid-copy'],
    ['host_earnings_hourly', 'copy-start'],
  ] as const) {
    it(`the orchestration is stopped while ${table} is importing; a re-run leaves it exact`, async () => {
      const hour = ABORT_ATHENA_HOUR;
      const fault = `orchestration stopped (StopExecution) at ${point}`;
      await trial(section, { trial: `stop: ${table} ${hour}`, fault, outcome: '' }, async () => {
        const handle = fixture.runtime.engine.startExecution({
          stateMachineArn: fixture.runtime.orchestratorArn,
          input: { hour, tables: [table], force: false },
        });
        fixture.probe.arm({ table, hour, point, action: { abort: () => handle.abort('stopped by the operator') } });
        const stopped = await handle.done;
        expect(stopped.status).toBe('ABORTED');
        // A Lambda is not stopped with its execution: its import runs on to commit or roll back by itself.
        await fixture.probe.drain();
        const afterStop = statuses(await ledger(table, hour));
        const rerun = await fixture.runtime.runHour({ hour, tables: [table] });
        expect(rerun.status).toBe('SUCCEEDED');
        const rows = await expectEqualToSource(table, hour);
        const entries = await ledger(table, hour);
        expect(entries.filter((entry) => entry.status === 'succeeded')).toHaveLength(1);
        const output = JSON.parse(rerun.output ?? '{}') as { tables?: { table: string; status: string }[] };
        const rerunStatus = output.tables?.find((entry) => entry.table === table)?.status;
        const lambda = afterStop.includes('succeeded') ? 'ran on and committed' : 'did not commit';
        return `ABORTED; its Lambda ${lambda} (ledger: ${afterStop || 'no row'}); re-run: ${rerunStatus}; ${rows} rows = source, 1 succeeded ledger row`;
      });
    });
  }

  it('Athena throttles twice: the retry loop imports the table once', async () => {
    const table = 'search_terms_hourly';
    const hour = ABORT_ATHENA_HOUR;
    await trial(
      section,
      { trial: `athena: ${table} ${hour}`, fault: 'Athena.TooManyRequestsException × 2 (Rate exceeded)', outcome: '' },
      async () => {
        fixture.setAthenaFaults([
          { count: 2, error: 'Athena.TooManyRequestsException', cause: 'Rate exceeded', table },
        ]);
        try {
          const result = await fixture.runtime.runHour({ hour, tables: [table] });
          expect(result.status, result.cause).toBe('SUCCEEDED');
        } finally {
          fixture.setAthenaFaults([]);
        }
        const retrying = fixture.runtime.bus
          .archivedEvents('aurora-imports')
          .filter(
            ({ event }) =>
              event['detail-type'] === 'Import Retrying' &&
              (event.detail as { table: string; hour: string }).table === table &&
              (event.detail as { table: string; hour: string }).hour === hour,
          );
        expect(retrying).toHaveLength(2);
        const rows = await expectEqualToSource(table, hour);
        return `2 Import Retrying, then imported; ${rows} rows = source; ledger: ${statuses(await ledger(table, hour))}`;
      },
    );
  });

  it('Athena fails for good: the table is untouched; once fixed, a re-run imports it exactly', async () => {
    const table = 'episode_completion_hourly';
    const hour = ABORT_ATHENA_HOUR;
    const cause = "SYNTAX_ERROR: line 1:8: Column 'starts' cannot be resolved";
    await trial(
      section,
      {
        trial: `athena: ${table} ${hour}`,
        fault: 'Athena.AmazonAthenaException (SYNTAX_ERROR), not retryable',
        outcome: '',
      },
      async () => {
        fixture.setAthenaFaults([{ count: 1, error: 'Athena.AmazonAthenaException', cause, table }]);
        try {
          const failed = await fixture.runtime.runHour({ hour, tables: [table] });
          expect(failed.status).toBe('FAILED');
        } finally {
          fixture.setAthenaFaults([]);
        }
        expect((await fixture.compare(table, hour)).targetRows).toBe(0);
        const rerun = await fixture.runtime.runHour({ hour, tables: [table] });
        expect(rerun.status).toBe('SUCCEEDED');
        const rows = await expectEqualToSource(table, hour);
        return `orchestration FAILED with 0 rows written; re-run imported ${rows} rows = source`;
      },
    );
  });

  it('the orchestrator target fails until the event reaches the DLQ; a redrive imports every table once', async () => {
    const hour = DLQ_HOUR;
    await trial(
      section,
      {
        trial: `dlq: all tables ${hour}`,
        fault: 'EMR rule target fails on every attempt (2 retries) → DLQ',
        outcome: '',
      },
      async () => {
        const { runtime } = fixture;
        const dlq = new LocalQueue('emr-trigger-dlq');
        let failing = true;
        runtime.bus.putTargets('emr-step-completed-to-orchestrator', [
          {
            id: 'orchestrator',
            arn: runtime.orchestratorArn,
            retryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
            deadLetterQueue: dlq,
            target: functionTarget(async (event) => {
              if (failing) throw new Error('StartExecution failed (injected)');
              (runtime.triggeredExecutions as ExecutionHandle[]).push(
                runtime.engine.startExecution({ stateMachineArn: runtime.orchestratorArn, input: event }),
              );
            }),
          },
        ]);
        const before = await fixture.fingerprint();
        const startedBefore = runtime.triggeredExecutions.length;
        await runtime.putEvents([emrStepCompletedEvent(parseHour(hour))]);
        expect(dlq.messages).toHaveLength(1);
        expect(runtime.triggeredExecutions).toHaveLength(startedBefore);
        expect(await fixture.fingerprint()).toEqual(before);
        failing = false;
        for (const message of dlq.receive()) await runtime.putEvents([JSON.parse(message.body)]);
        const results = await runtime.settle();
        expect(results.slice(startedBefore).map((r) => r.status)).toEqual(['SUCCEEDED']);
        let rows = 0;
        for (const spec of fixture.catalog.tables) {
          rows += await expectEqualToSource(spec.name, hour);
          expect((await ledger(spec.name, hour)).map((entry) => entry.status)).toEqual(['succeeded']);
        }
        return `1 dead letter, nothing imported; redriven: 6 tables imported once, ${rows} rows = source`;
      },
    );
  });
});

describe('duplicates and concurrency: each (table, hour, source) imported once', () => {
  const section = 'Duplicates and concurrency';

  it('the same EMR event delivered 5 times at once imports each table-hour once', async () => {
    const hour = DUPLICATE_HOUR;
    await trial(
      section,
      {
        trial: `5 × EMR event ${hour}`,
        fault: 'one EMR Step Status Change delivered 5 times, concurrently',
        outcome: '',
      },
      async () => {
        const { runtime } = fixture;
        const startedBefore = runtime.triggeredExecutions.length;
        const event = emrStepCompletedEvent(parseHour(hour));
        await runtime.putEvents([event, event, event, event, event]);
        const results = (await runtime.settle()).slice(startedBefore);
        expect(results).toHaveLength(5);
        let rows = 0;
        for (const spec of fixture.catalog.tables) {
          rows += await expectEqualToSource(spec.name, hour);
          const entries = await ledger(spec.name, hour);
          expect(entries.filter((entry) => entry.status === 'succeeded')).toHaveLength(1);
          expect(entries.filter((entry) => entry.status === 'failed')).toEqual([]);
        }
        const succeededEvents = runtime.bus
          .archivedEvents('aurora-imports')
          .filter(
            ({ event: e }) => e['detail-type'] === 'Import Succeeded' && (e.detail as { hour: string }).hour === hour,
          );
        expect(succeededEvents).toHaveLength(fixture.catalog.tables.length);
        return `5 orchestrations; each of the 6 tables: 1 Import Succeeded, 1 succeeded ledger row; ${rows} rows = source`;
      },
    );
  });

  it('replaying the archived EMR events imports nothing again', async () => {
    await trial(
      section,
      {
        trial: 'archive replay',
        fault: 'every EMR event archived so far replayed to the EMR rule (events carry replay-name)',
        outcome: '',
      },
      async () => {
        const { runtime } = fixture;
        const before = await fixture.fingerprint();
        const startedBefore = runtime.triggeredExecutions.length;
        const { replayedEvents } = runtime.bus.startReplay({
          replayName: 'reliability-replay',
          ruleNames: ['emr-step-completed-to-orchestrator'],
        });
        await runtime.bus.idle();
        const results = (await runtime.settle()).slice(startedBefore);
        expect(replayedEvents).toBeGreaterThan(0);
        expect(results).toHaveLength(replayedEvents);
        for (const result of results) {
          expect(result.status).toBe('SUCCEEDED');
          const output = JSON.parse(result.output ?? '{}') as { tables?: { status: string }[] };
          expect(output.tables?.map((table) => table.status)).toEqual(fixture.catalog.tables.map(() => 'skipped'));
        }
        expect(await fixture.fingerprint()).toEqual(before);
        return `${replayedEvents} replayed EMR events started ${results.length} orchestrations; every table skipped (execution name taken); database unchanged`;
      },
    );
  });

  it('5 concurrent imports of one table-hour and source: one imports, four are skipped (not failed)', async () => {
    const table = 'show_plays_hourly';
    const hour = CORE_HOUR;
    await trial(
      section,
      {
        trial: `5 × import ${table} ${hour}`,
        fault: 'the import core called 5 times at once (same source)',
        outcome: '',
      },
      async () => {
        const { location, queryExecutionId } = await fixture.athenaResult(table, hour);
        const summaries = await Promise.all(
          [1, 2, 3, 4, 5].map((n) =>
            importResult({
              catalog: fixture.catalog,
              database: fixture.probe,
              objectStore: fixture.runtime.objectStore,
              table,
              hour,
              resultLocation: location,
              queryExecutionId,
              executionArn: `arn:concurrent:${n}`,
              source: 's-duplicate',
            }),
          ),
        );
        expect(summaries.map((s) => s.status).sort()).toEqual([
          'skipped',
          'skipped',
          'skipped',
          'skipped',
          'succeeded',
        ]);
        const rows = await expectEqualToSource(table, hour);
        const entries = await ledger(table, hour);
        expect(entries.map((entry) => entry.status).sort()).toEqual([
          'skipped',
          'skipped',
          'skipped',
          'skipped',
          'succeeded',
        ]);
        return `serialized on the (table, hour) advisory lock: 1 succeeded, 4 skipped, 0 failed; ${rows} rows = source`;
      },
    );
  });

  it('run --force re-imports an imported table-hour through the pipeline, as a new attempt', async () => {
    const table = 'host_earnings_hourly';
    const hour = DUPLICATE_HOUR;
    await trial(
      section,
      {
        trial: `run --force ${table} ${hour}`,
        fault: 'a forced manual run of a table-hour imported from EMR',
        outcome: '',
      },
      async () => {
        const before = await ledger(table, hour);
        const result = await fixture.runtime.runHour({ hour, tables: [table], force: true });
        expect(result.status).toBe('SUCCEEDED');
        const after = await ledger(table, hour);
        expect(after).toHaveLength(before.length + 1);
        expect(after.at(-1)).toMatchObject({ status: 'succeeded', attempt: before.length + 1 });
        const rows = await expectEqualToSource(table, hour);
        return `imported again as ledger attempt ${before.length + 1}; ${rows} rows = source, none doubled`;
      },
    );
  });

  it('a manual import (no source) of a table-hour imported from EMR is skipped by the core, as by PrepareImport', async () => {
    const table = 'ad_impressions_hourly';
    const hour = CORE_HOUR;
    await trial(
      section,
      {
        trial: `manual after EMR ${table} ${hour}`,
        fault: 'import core: EMR source, then no source, then a new source',
        outcome: '',
      },
      async () => {
        const { location, queryExecutionId } = await fixture.athenaResult(table, hour);
        const run = (source?: string) =>
          importResult({
            catalog: fixture.catalog,
            database: fixture.probe,
            objectStore: fixture.runtime.objectStore,
            table,
            hour,
            resultLocation: location,
            queryExecutionId,
            ...(source ? { source } : {}),
          });
        expect((await run('s-emr-1')).status).toBe('succeeded');
        expect((await run()).status).toBe('skipped');
        expect((await run('s-emr-2')).status).toBe('succeeded');
        const rows = await expectEqualToSource(table, hour);
        return `EMR source: succeeded; no source: skipped; new EMR source: imported again (new data); ${rows} rows = source`;
      },
    );
  });

  it('force re-imports on purpose, as a new attempt, and the table stays exact', async () => {
    const table = 'show_plays_hourly';
    const hour = CORE_HOUR;
    await trial(
      section,
      { trial: `force ${table} ${hour}`, fault: 'a forced re-import of an imported table-hour', outcome: '' },
      async () => {
        const { location, queryExecutionId } = await fixture.athenaResult(table, hour);
        const before = await ledger(table, hour);
        const summary = await importResult({
          catalog: fixture.catalog,
          database: fixture.probe,
          objectStore: fixture.runtime.objectStore,
          table,
          hour,
          resultLocation: location,
          queryExecutionId,
          source: 's-duplicate',
          force: true,
        });
        expect(summary).toMatchObject({ status: 'succeeded', rowsInserted: 0, rowsUpdated: 0 });
        const after = await ledger(table, hour);
        expect(after).toHaveLength(before.length + 1);
        expect(after.at(-1)).toMatchObject({ status: 'succeeded', attempt: before.length + 1 });
        const rows = await expectEqualToSource(table, hour);
        return `new ledger attempt ${before.length + 1} (succeeded, 0 rows changed); ${rows} rows = source`;
      },
    );
  });
});

describe('global slots: overlapping orchestrations and a backfill never exceed the heavy and light slots', () => {
  const section = 'Global slots under overlap';

  it('two EMR hours and a two-hour backfill at once: at most 1 heavy and 4 light imports hold Aurora', async () => {
    await trial(
      section,
      {
        trial: `${OVERLAP_EMR_HOURS.join(', ')} (EMR) + ${OVERLAP_BACKFILL_HOURS.join(', ')} (backfill)`,
        fault: 'three orchestrations at once; slots: heavy 1, light 4',
        outcome: '',
      },
      async () => {
        const { runtime, probe } = fixture;
        probe.resetCounters();
        const maxima = { heavy: 0, light: 0, samples: 0 };
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            const held = await fixture.heldSlots();
            maxima.heavy = Math.max(maxima.heavy, held.heavy);
            maxima.light = Math.max(maxima.light, held.light);
            maxima.samples += 1;
          }
        })();
        const startedBefore = runtime.triggeredExecutions.length;
        const {
          result: [, backfill],
          errors,
        } = await importFailures(() =>
          Promise.all([
            runtime
              .putEvents(OVERLAP_EMR_HOURS.map((hour) => emrStepCompletedEvent(parseHour(hour))))
              .then(() => runtime.settle()),
            runBackfill({
              runtime,
              probe: new LocalSourceDataProbe({ dataDir: fixture.dataDir }),
              hours: OVERLAP_BACKFILL_HOURS.map((hour) => parseHour(hour)),
            }),
          ]),
        );
        sampling = false;
        await sampler;
        const statuses = (await runtime.settle()).slice(startedBefore).map((r) => r.status);
        expect(statuses).toEqual(['SUCCEEDED', 'SUCCEEDED']);
        expect(backfill.totals).toMatchObject({ succeeded: 12, failed: 0, noData: 0 });
        expect(maxima.heavy, 'heavy slot locks held at once (pg_locks)').toBe(1);
        expect(maxima.light, 'light slot locks held at once (pg_locks)').toBeLessThanOrEqual(4);
        expect(probe.maxActive.heavy, 'heavy imports in COPY/merge at once').toBe(1);
        expect(probe.maxActive.light).toBeLessThanOrEqual(4);
        const busy = errors.filter((error) => error === 'ImportSlotBusyError').length;
        expect(busy, 'imports found their slots busy and waited').toBeGreaterThan(0);
        expect(errors.filter((error) => error !== 'ImportSlotBusyError')).toEqual([]);
        for (const hour of [...OVERLAP_EMR_HOURS, ...OVERLAP_BACKFILL_HOURS])
          for (const spec of fixture.catalog.tables) {
            await expectEqualToSource(spec.name, hour);
            expect((await ledger(spec.name, hour)).map((entry) => entry.status)).toEqual(['succeeded']);
          }
        return `heavy slot locks held at once: max 1 (pg_locks sampled); light: max ≤ 4; busy slots waited via ImportSlotBusyError retries; 24 table-hours = source, each imported once`;
      },
    );
  });

  it('a busy heavy slot stops the import before any write, and a killed import frees its slot', async () => {
    const table = 'episode_completion_hourly';
    const hour = CORE_HOUR;
    await trial(
      section,
      {
        trial: `slot held: ${table} ${hour}`,
        fault: 'another session holds heavy slot 0; then an import killed mid-copy',
        outcome: '',
      },
      async () => {
        const { location, queryExecutionId } = await fixture.athenaResult(table, hour);
        const run = (options: { heavySlots?: number } = {}) =>
          importResult({
            catalog: fixture.catalog,
            database: fixture.probe,
            objectStore: fixture.runtime.objectStore,
            table,
            hour,
            resultLocation: location,
            queryExecutionId,
            source: 's-slots',
            ...options,
          });
        const before = await fixture.fingerprint();
        const holder = await fixture.runtime.database.transaction(async (tx) => {
          await sql`select pg_advisory_xact_lock(${sql.lit(SLOT_LOCK_KEYS.heavy)}::int, 0)`.execute(tx.db);
          const busy = await failure(run());
          return busy;
        });
        expect(holder.name).toBe('ImportSlotBusyError');
        expect(holder.message).toContain('heavy import slot is busy');
        expect(await fixture.fingerprint()).toEqual(before);
        expect(await ledger(table, hour)).toEqual([]);
        fixture.probe.arm({ table, hour, point: 'mid-copy', chunk: 1, action: 'kill' });
        const killed = await failure(run());
        expect(killed.name).toBe('ImportTransientError');
        expect(await fixture.heldSlots()).toEqual({ heavy: 0, light: 0 });
        expect(await run()).toMatchObject({ status: 'succeeded' });
        const rows = await expectEqualToSource(table, hour);
        return `ImportSlotBusyError, nothing written, no ledger row; killed import's slot freed by the server; next import took it: ${rows} rows = source`;
      },
    );
  });

  it('too little time left for the merge stops cleanly with ImportTimeBudgetError', async () => {
    const table = 'search_terms_hourly';
    const hour = CORE_HOUR;
    await trial(
      section,
      { trial: `time budget: ${table} ${hour}`, fault: 'time budget 60 s, merge estimated at 1 row/s', outcome: '' },
      async () => {
        const { location, queryExecutionId } = await fixture.athenaResult(table, hour);
        const before = await fixture.fingerprint();
        const request = {
          catalog: fixture.catalog,
          database: fixture.probe,
          objectStore: fixture.runtime.objectStore,
          table,
          hour,
          resultLocation: location,
          queryExecutionId,
          source: 's-budget',
          timeBudgetMs: 60_000,
        };
        const error = await failure(importResult({ ...request, mergeRowsPerSecond: 1 }));
        expect(error.name).toBe('ImportTimeBudgetError');
        expect(error.message).toMatch(/stopped before the merge: \d+ staged rows need an estimated \d+ ms/);
        expect(await fixture.fingerprint()).toEqual(before);
        expect(await fixture.heldSlots()).toEqual({ heavy: 0, light: 0 });
        expect(await importResult(request)).toMatchObject({ status: 'succeeded' });
        const rows = await expectEqualToSource(table, hour);
        return `ImportTimeBudgetError before the merge, nothing written; with the default estimate the next try imported ${rows} rows = source`;
      },
    );
  });
});

describe('bad input: a clear error or event, and an unchanged database', () => {
  const section = 'Bad input';
  const table = 'show_plays_hourly';
  const header = 'show_id,hour,country,plays,unique_viewers,watch_seconds,note';
  const at = `${BAD_HOUR.replace('T', ' ')}:00:00.000`;
  const good = [
    `"1","${at}","US","10","5","12.5",`,
    `"2","${at}","DE","20","7","30.25","a ""quoted"", note"`,
    `"3","${at}","FR","30","9","1.0",""`,
  ];
  let sequence = 0;

  async function load(name: string, csv: string, target = table) {
    sequence += 1;
    const key = `bad-input/${sequence}-${name}.csv`;
    const path = join(fixture.dataDir, 'crafted', key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, csv);
    return importResult({
      catalog: fixture.catalog,
      database: fixture.probe,
      objectStore: fixture.runtime.objectStore,
      table: target,
      hour: BAD_HOUR,
      resultLocation: { bucket: 'crafted', key },
      queryExecutionId: `q-${name}`,
      source: 'crafted',
      force: true,
    });
  }

  beforeAll(async () => {
    // Something to keep: a bad import must leave these rows exactly as they are.
    await load('baseline', [header, ...good].join('\n'));
    await load(
      'baseline-replace',
      ['episode_id,hour,device,starts,completions,completion_rate', `"7","${at}","tv","10","5","0.5000"`].join('\n'),
      'episode_completion_hourly',
    );
  });

  const cases: { name: string; csv: () => string; target?: string; error: string; message: RegExp }[] = [
    {
      name: 'missing column',
      csv: () => [header.replace(',note', ''), ...good.map((row) => row.slice(0, row.lastIndexOf(',')))].join('\n'),
      error: 'ImportValidationError',
      message: /missing: note/,
    },
    {
      name: 'extra column',
      csv: () => [`${header},extra`, ...good.map((row) => `${row},"x"`)].join('\n'),
      error: 'ImportValidationError',
      message: /unexpected: extra/,
    },
    {
      name: 'reordered columns',
      csv: () => ['show_id,hour,plays,country,unique_viewers,watch_seconds,note', ...good].join('\n'),
      error: 'ImportValidationError',
      message: /same names, different order/,
    },
    {
      name: 'wrong type',
      csv: () => [header, good[0], `"2","${at}","DE","many","7","30.25",`].join('\n'),
      error: 'ImportValidationError',
      message: /plays.*line 3|line 3.*plays/,
    },
    {
      name: 'NULL in a NOT NULL column',
      csv: () => [header, `"2","${at}",,"20","7","30.25",`].join('\n'),
      error: 'ImportValidationError',
      message: /country/,
    },
    {
      name: 'duplicate keys',
      csv: () => [header, ...good, good[1]!.replace('"20"', '"21"')].join('\n'),
      error: 'ImportValidationError',
      message: /duplicate primary key .*show_id="?2"?/,
    },
    {
      name: 'rows of another hour',
      csv: () => [header, good[0], good[1]!.replace(at, '2026-11-27 23:00:00.000')].join('\n'),
      error: 'ImportValidationError',
      message: /does not belong to hour 2026-11-27T22/,
    },
    {
      name: 'oversized field (integer out of range)',
      csv: () => [header, `"4","${at}","US","10","99999999999","1.5",`].join('\n'),
      error: 'ImportValidationError',
      message: /unique_viewers.*out of range|out of range.*unique_viewers/,
    },
    {
      name: 'oversized field (numeric beyond its precision)',
      target: 'episode_completion_hourly',
      csv: () =>
        ['episode_id,hour,device,starts,completions,completion_rate', `"8","${at}","tv","10","5","123456.5"`].join(
          '\n',
        ),
      error: 'ImportValidationError',
      message: /numeric field overflow/,
    },
    {
      name: 'truncated file (inside a quoted field)',
      csv: () => [header, good[0], `"2","${at}","DE","20","7","30.25","a ""quo`].join('\n'),
      error: 'ImportValidationError',
      message: /unterminated CSV quoted field/,
    },
    {
      name: 'truncated file (mid-row)',
      csv: () => [header, good[0], `"2","${at}","DE"`].join('\n'),
      error: 'ImportValidationError',
      message: /missing data for column/,
    },
    {
      name: 'empty result in replace mode',
      target: 'episode_completion_hourly',
      csv: () => 'episode_id,hour,device,starts,completions,completion_rate\n',
      error: 'EmptyResultError',
      message: /has no rows; replace-partition refuses to empty an hour/,
    },
    {
      name: 'empty object (no header)',
      csv: () => '',
      error: 'ImportValidationError',
      message: /no header line/,
    },
  ];

  for (const bad of cases) {
    it(`${bad.name}: ${bad.error}, database unchanged`, async () => {
      const target = bad.target ?? table;
      await trial(
        section,
        { trial: `${bad.name} (${target})`, fault: 'crafted Athena result CSV', outcome: '' },
        async () => {
          const before = await fixture.fingerprint();
          const error = await failure(load(bad.name.replace(/[^a-z]+/g, '-'), bad.csv(), target));
          expect(error.name).toBe(bad.error);
          expect(error.message).toMatch(bad.message);
          expect(await fixture.fingerprint()).toEqual(before);
          return `${error.name}: ${error.message}`;
        },
      );
    });
  }

  const injected = [
    'show_plays_hourly"; drop table import_ledger; --',
    "show_plays_hourly'; delete from show_plays_hourly; --",
    'Show_Plays_Hourly',
    'no_such_table',
  ];
  for (const name of injected) {
    it(`unknown or injected table name ${JSON.stringify(name)}: rejected before any SQL, nothing changed`, async () => {
      await trial(
        section,
        { trial: `table ${JSON.stringify(name)}`, fault: 'import core and `run --tables`', outcome: '' },
        async () => {
          const before = await fixture.fingerprint();
          const core = await failure(
            importResult({
              catalog: fixture.catalog,
              database: fixture.probe,
              objectStore: fixture.runtime.objectStore,
              table: name,
              hour: BAD_HOUR,
              resultLocation: { bucket: 'crafted', key: 'none.csv' },
              queryExecutionId: 'q-injected',
            }),
          );
          expect(core.name).toBe('UnknownTableError');
          const run = await fixture.runtime.runHour({ hour: BAD_HOUR, tables: [name] });
          expect(run.status).toBe('FAILED');
          expect(run.cause).toContain('unknown table');
          expect(await fixture.fingerprint()).toEqual(before);
          return `UnknownTableError (core); orchestration FAILED: ${run.error}`;
        },
      );
    });
  }

  it('an hour built to inject SQL is rejected by the core and the orchestrator, nothing changed', async () => {
    const hour = "2026-11-27T10'; drop table import_ledger; --";
    await trial(
      section,
      { trial: `hour ${JSON.stringify(hour)}`, fault: 'import core and `run --hour`', outcome: '' },
      async () => {
        const before = await fixture.fingerprint();
        const core = await failure(
          importResult({
            catalog: fixture.catalog,
            database: fixture.probe,
            objectStore: fixture.runtime.objectStore,
            table,
            hour,
            resultLocation: { bucket: 'crafted', key: 'none.csv' },
            queryExecutionId: 'q-injected-hour',
          }),
        );
        expect(core.name).toBe('ImportValidationError');
        const run = await fixture.runtime.runHour({ hour });
        expect(run.status).toBe('FAILED');
        expect(await fixture.fingerprint()).toEqual(before);
        return `ImportValidationError (core); orchestration FAILED: ${run.error}`;
      },
    );
  });

  it('malformed and unrelated events start nothing or fail with a clear error, nothing changed', async () => {
    await trial(
      section,
      {
        trial: 'malformed / unrelated events',
        fault: 'EC2 event, CloudTrail EMR call, FAILED step, step without id',
        outcome: '',
      },
      async () => {
        const { runtime } = fixture;
        const before = await fixture.fingerprint();
        const startedBefore = runtime.triggeredExecutions.length;
        const emr = emrStepCompletedEvent(parseHour(BAD_HOUR));
        const detail = emr.detail as Record<string, unknown>;
        await runtime.putEvents([
          { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { state: 'running' } },
          { ...emr, source: 'aws.elasticmapreduce', 'detail-type': 'AWS API Call via CloudTrail' },
          { ...emr, detail: { ...detail, state: 'FAILED' } },
          { ...emr, detail: { ...detail, name: 'nightly-cleanup' } },
        ]);
        expect(runtime.triggeredExecutions).toHaveLength(startedBefore);
        const { stepId: _dropped, ...withoutStepId } = detail;
        await runtime.putEvents([{ ...emr, detail: withoutStepId }]);
        const started = (await runtime.settle()).slice(startedBefore);
        expect(await fixture.fingerprint()).toEqual(before);
        const outcome =
          started.map((r) => `${r.status}${r.error ? ` ${r.error}` : ''}`).join(', ') || 'nothing started';
        expect(started.every((r) => r.status === 'FAILED')).toBe(true);
        return `4 unrelated events started nothing; a COMPLETED step without a stepId: ${outcome}`;
      },
    );
  });
});
