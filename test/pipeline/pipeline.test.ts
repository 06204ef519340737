import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHour } from '../../functions/shared/hour.ts';
import { emrStepCompletedEvent } from '../../local/runtime/emr-trigger.ts';
import { IMPORT_STATE_MACHINE_NAME } from '../../local/runtime/local-functions.ts';
import { createPipelineFixture, type PipelineFixture, publishedEvents } from './pipeline-support.ts';

const HOURS = ['2026-11-27T10', '2026-11-27T11', '2026-11-27T12', '2026-11-27T13', '2026-11-27T14', '2026-11-27T15'];
const TABLES = [
  'show_plays_hourly',
  'episode_completion_hourly',
  'host_earnings_hourly',
  'ad_impressions_hourly',
  'search_terms_hourly',
  'device_errors_hourly',
];
const HEAVY = ['show_plays_hourly', 'episode_completion_hourly'];

let fixture: PipelineFixture;

beforeAll(async () => {
  fixture = await createPipelineFixture(HOURS);
});

afterAll(async () => {
  await fixture?.close();
});

async function expectImported(hour: string, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const source = await fixture.sourceRows(table, hour);
    expect(source, `${table} has sample rows`).toBeGreaterThan(0);
    expect(await fixture.targetRows(table, hour), `${table} rows in Aurora`).toBe(source);
  }
}

async function ledgerRows(hour: string) {
  return fixture.database.db
    .selectFrom('import_ledger')
    .select(['table_name', 'status', 'source', 'rows_inserted'])
    .where('hour', '=', parseHour(hour).start)
    .orderBy('id')
    .execute();
}

describe('the pipeline on the local runtime and real PostgreSQL', () => {
  it('imports every demo table of an hour from an EMR COMPLETED event, and publishes the outcome', async () => {
    const hour = HOURS[0]!;
    const runtime = await fixture.runtime();
    await runtime.putEvents([emrStepCompletedEvent(parseHour(hour))]);
    const [orchestration, ...more] = await runtime.settle();
    expect(more).toEqual([]);
    expect(orchestration?.status).toBe('SUCCEEDED');
    await expectImported(hour, TABLES);

    const events = publishedEvents(runtime);
    const succeeded = events.filter((e) => e.detailType === 'Import Succeeded');
    expect(succeeded.map((e) => e.detail.table).sort()).toEqual([...TABLES].sort());
    for (const event of succeeded) {
      expect(event.detail.rowsInserted).toBe(await fixture.sourceRows(String(event.detail.table), hour));
      expect(event.detail.correlationId).toBe(orchestration!.executionArn);
    }
    const completed = events.filter((e) => e.detailType === 'Orchestration Completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.detail).toMatchObject({ hour, failed: [], skipped: [] });
    expect([...(completed[0]!.detail.succeeded as string[])].sort()).toEqual([...TABLES].sort());
    const ledger = await ledgerRows(hour);
    expect(ledger.filter((row) => row.status === 'succeeded')).toHaveLength(TABLES.length);
    expect(new Set(ledger.map((row) => row.source))).toEqual(
      new Set([(emrStepCompletedEvent(parseHour(hour)).detail as { stepId: string }).stepId]),
    );
    expect(runtime.metrics.total('ImportFailed')).toBe(0);
    expect(runtime.metrics.total('RowsImported')).toBeGreaterThan(0);
  });

  it('retries Athena throttling with Import Retrying events, then imports the table', async () => {
    const hour = HOURS[1]!;
    const runtime = await fixture.runtime({
      faults: [
        { count: 2, error: 'Athena.TooManyRequestsException', cause: 'Rate exceeded', table: 'search_terms_hourly' },
      ],
    });
    const result = await runtime.runHour({ hour });
    expect(result.status).toBe('SUCCEEDED');
    await expectImported(hour, TABLES);
    const retrying = publishedEvents(runtime).filter((e) => e.detailType === 'Import Retrying');
    expect(retrying.map((e) => [e.detail.table, e.detail.stage, e.detail.attempt, e.detail.error])).toEqual([
      ['search_terms_hourly', 'athena', 1, 'Athena.TooManyRequestsException'],
      ['search_terms_hourly', 'athena', 2, 'Athena.TooManyRequestsException'],
    ]);
    for (const event of retrying) expect(event.detail.nextDelaySeconds).toBeGreaterThanOrEqual(1);
    expect(runtime.metrics.total('Retries', { causeClass: 'throttling' })).toBe(2);
    const output = JSON.parse(result.output!) as { tables: { table: string; athenaAttempts?: number }[] };
    expect(output.tables.find((t) => t.table === 'search_terms_hourly')?.athenaAttempts).toBe(3);
  });

  it('fails only the table with a non-retryable cause; the others import; the orchestrator fails at the end', async () => {
    const hour = HOURS[2]!;
    const cause = "SYNTAX_ERROR: line 1:8: Column 'plays' cannot be resolved";
    const runtime = await fixture.runtime({
      faults: [{ count: 1, error: 'Athena.AmazonAthenaException', cause, table: 'show_plays_hourly' }],
    });
    const result = await runtime.runHour({ hour });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ImportsFailed');
    expect(result.cause).toContain('show_plays_hourly');
    await expectImported(
      hour,
      TABLES.filter((t) => t !== 'show_plays_hourly'),
    );
    expect(await fixture.targetRows('show_plays_hourly', hour)).toBe(0);
    const events = publishedEvents(runtime);
    const failed = events.filter((e) => e.detailType === 'Import Failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toMatchObject({
      table: 'show_plays_hourly',
      hour,
      stage: 'athena',
      error: 'Athena.AmazonAthenaException',
      cause,
      attempts: 1,
    });
    expect(events.filter((e) => e.detailType === 'Import Retrying')).toEqual([]);
    const completed = events.find((e) => e.detailType === 'Orchestration Completed');
    expect(completed?.detail.failed).toEqual(['show_plays_hourly']);
    expect(runtime.metrics.total('ImportFailed', { table: 'show_plays_hourly' })).toBe(1);
    // The import Lambda never ran, yet the ledger has the failed attempt: status shows it failed, not missing.
    const ledger = await ledgerRows(hour);
    expect(ledger.filter((row) => row.table_name === 'show_plays_hourly').map((row) => row.status)).toEqual(['failed']);
    const failedRow = await fixture.database.db
      .selectFrom('import_ledger')
      .select(['error_name', 'error_message', 'execution_arn'])
      .where('table_name', '=', 'show_plays_hourly')
      .where('hour', '=', parseHour(hour).start)
      .executeTakeFirstOrThrow();
    expect(failedRow).toMatchObject({ error_name: 'Athena.AmazonAthenaException', error_message: cause });
    expect(failedRow.execution_arn).toContain(':execution:importFromS3ToAurora:show_plays_hourly-');
  });

  it('an Aurora-stage failure (an empty result in replace mode) fails that table with its error, attempts and ledger row', async () => {
    const hour = '2026-11-27T16'; // no sample data: Athena answers with the header only
    const runtime = await fixture.runtime();
    const result = await runtime.runHour({ hour, tables: ['search_terms_hourly'] });
    expect(result.status).toBe('FAILED');
    const failed = publishedEvents(runtime).filter((e) => e.detailType === 'Import Failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.detail).toMatchObject({
      table: 'search_terms_hourly',
      hour,
      stage: 'aurora',
      error: 'EmptyResultError',
      attempts: 1,
    });
    expect(String(failed[0]!.detail.cause)).toContain('replace-partition refuses to empty an hour');
    expect((await ledgerRows(hour)).map((row) => [row.table_name, row.status])).toEqual([
      ['search_terms_hourly', 'failed'],
    ]);
  });

  it('never runs two heavy imports at once, while light ones run alongside', async () => {
    const hour = HOURS[3]!;
    const runtime = await fixture.runtime({ lightMaxConcurrency: 4 });
    const spans = new Map<string, { table: string; start: number; end: number }>();
    let order = 0;
    runtime.engine.onEvent((event) => {
      if (!event.executionArn.includes(`:${IMPORT_STATE_MACHINE_NAME}:`)) return;
      order += 1;
      if (event.type === 'ExecutionStarted') {
        const table = String((JSON.parse(String(event.details?.input)) as { table: string }).table);
        spans.set(event.executionArn, { table, start: order, end: Number.POSITIVE_INFINITY });
      } else if (event.type.startsWith('Execution')) spans.get(event.executionArn)!.end = order;
    });
    const result = await runtime.runHour({ hour });
    expect(result.status).toBe('SUCCEEDED');
    const heavy = [...spans.values()].filter((span) => HEAVY.includes(span.table));
    expect(heavy).toHaveLength(2);
    const [first, second] = heavy.sort((a, b) => a.start - b.start) as [(typeof heavy)[0], (typeof heavy)[0]];
    expect(first.end).toBeLessThan(second.start);
    const light = [...spans.values()].filter((span) => !HEAVY.includes(span.table));
    const overlapsHeavy = light.some((span) => span.start < first.end && span.end > first.start);
    expect(overlapsHeavy).toBe(true);
  });

  it('imports each table once when the same EMR event is delivered twice', async () => {
    const hour = HOURS[4]!;
    const runtime = await fixture.runtime();
    const event = emrStepCompletedEvent(parseHour(hour));
    await runtime.putEvents([event, event]);
    const orchestrations = await runtime.settle();
    expect(orchestrations).toHaveLength(2);
    await expectImported(hour, TABLES);
    const ledger = await ledgerRows(hour);
    expect(
      ledger
        .filter((row) => row.status === 'succeeded')
        .map((row) => row.table_name)
        .sort(),
    ).toEqual([...TABLES].sort());
    const succeeded = publishedEvents(runtime).filter((e) => e.detailType === 'Import Succeeded');
    expect(succeeded.map((e) => e.detail.table).sort()).toEqual([...TABLES].sort());
    // The two orchestrations race table by table: whichever starts an import first does it, the other one finds
    // the execution name taken and records the table as skipped. Together: each table succeeded once, skipped once.
    const completed = publishedEvents(runtime).filter((e) => e.detailType === 'Orchestration Completed');
    expect(completed).toHaveLength(2);
    const all = (key: 'succeeded' | 'skipped' | 'failed') => completed.flatMap((e) => e.detail[key] as string[]).sort();
    expect(all('succeeded')).toEqual([...TABLES].sort());
    expect(all('skipped')).toEqual([...TABLES].sort());
    expect(all('failed')).toEqual([]);
  });

  it('starts nothing for a FAILED step, an unrelated EMR step or a CloudTrail EMR event', async () => {
    const hour = parseHour(HOURS[5]!);
    const runtime = await fixture.runtime();
    const completed = emrStepCompletedEvent(hour);
    const failedStep = { ...completed, detail: { ...(completed.detail as object), state: 'FAILED' } };
    const otherStep = { ...completed, detail: { ...(completed.detail as object), name: 'nightly-cleanup' } };
    const cloudTrail = { ...completed, source: 'aws.elasticmapreduce', 'detail-type': 'AWS API Call via CloudTrail' };
    await runtime.putEvents([failedStep, otherStep, cloudTrail]);
    expect(await runtime.settle()).toEqual([]);
    for (const table of TABLES) expect(await fixture.targetRows(table, hour.text)).toBe(0);
    expect(await ledgerRows(hour.text)).toEqual([]);
  });
});
