import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLedgerGaps } from '../../functions/catch-up/ledger-gaps.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { hourPartitionDirectory } from '../../local/athena/local-lake.ts';
import backfill from '../../local/cli/commands/backfill.ts';
import { main } from '../../local/cli/main.ts';
import { generateSampleData } from '../../local/demo/generate-sample-data.ts';
import { hourFailed, parseBackfillRange, runBackfill } from '../../local/runtime/backfill.ts';
import { LocalSourceDataProbe } from '../../local/runtime/local-source-data-probe.ts';
import { createPipelineFixture, type PipelineFixture, TEST_SCALE } from '../pipeline/pipeline-support.ts';
import { captureIo } from '../support/capture-io.ts';

const WITH_DATA = ['2026-11-27T10', '2026-11-27T11'];
const NO_DATA = '2026-11-27T12';
let fixture: PipelineFixture;
let tables: string[];

beforeAll(async () => {
  fixture = await createPipelineFixture([...WITH_DATA, '2026-11-27T20']);
  tables = fixture.catalog.tables.map((table) => table.name);
}, 120_000);

afterAll(async () => {
  await fixture?.close();
});

const fakeIo = () => captureIo(fixture.stateDir);

function common(): string[] {
  return ['--state-dir', fixture.stateDir, '--data-dir', fixture.dataDir, '--database-url', fixture.testDatabase.url];
}

describe('aurora-imports backfill', () => {
  it('imports each hour with data, oldest first, and reports the hour without data clearly', async () => {
    const io = fakeIo();
    const code = await backfill.run(['--from', WITH_DATA[0]!, '--to', NO_DATA, ...common()], io);
    expect(code, io.err()).toBe(0);
    const progress = io.err().trim().split('\n');
    expect(progress).toHaveLength(3);
    expect(progress[0]).toMatch(/^\[1\/3\] 2026-11-27T10 {2}6 imported \(\d+ rows\), 0 skipped, 0 failed, 0 no data/);
    expect(progress[1]).toMatch(/^\[2\/3\] 2026-11-27T11 {2}6 imported/);
    expect(progress[2]).toContain('[3/3] 2026-11-27T12  0 imported (0 rows), 0 skipped, 0 failed, 6 no data');
    expect(progress[2]).toContain('not run');
    const out = io.out();
    expect(out).toContain('Backfill 2026-11-27T10 .. 2026-11-27T12: 3 hour(s) × 6 table(s)');
    expect(out).toMatch(/total\s+12\s+0\s+0\s+6\s+\d+/);
    expect(out).toContain('No source data (not imported) for 6 table-hour(s):');
    expect(out).toContain('  2026-11-27T12  every table');
    expect(out).toContain('no table failed');
    const gaps = await findLedgerGaps(fixture.database.db, tables, {
      from: parseHour(WITH_DATA[0]!),
      to: parseHour(NO_DATA),
    });
    expect(gaps.map((gap) => gap.hour)).toEqual(tables.map(() => NO_DATA));
    for (const table of tables) {
      expect(await fixture.targetRows(table, WITH_DATA[1]!)).toBe(await fixture.sourceRows(table, WITH_DATA[1]!));
    }
  });

  it('skips what the ledger has, re-imports with --force, and prints JSON with --json', async () => {
    const io = fakeIo();
    expect(await backfill.run(['--from', WITH_DATA[0]!, '--to', WITH_DATA[1]!, '--json', ...common()], io)).toBe(0);
    const result = JSON.parse(io.out()) as {
      hours: { hour: string; skipped: number; succeeded: number }[];
      totals: Record<string, number>;
    };
    expect(result.hours.map((h) => [h.hour, h.succeeded, h.skipped])).toEqual([
      [WITH_DATA[0], 0, 6],
      [WITH_DATA[1], 0, 6],
    ]);
    expect(result.totals).toMatchObject({ succeeded: 0, skipped: 12, failed: 0, noData: 0 });

    const forced = fakeIo();
    const code = await backfill.run(
      ['--from', WITH_DATA[0]!, '--to', WITH_DATA[0]!, '--tables', 'device_errors_hourly', '--force', ...common()],
      forced,
    );
    expect(code).toBe(0);
    expect(forced.out()).toContain('1 hour(s) × 1 table(s), forced');
    expect(forced.out()).toMatch(/2026-11-27T10\s+1\s+0\s+0\s+0/);
  });

  it('reports a failed import by table and marks its hour failed (the command then exits 1)', async () => {
    const runtime = await fixture.runtime({
      faults: [
        {
          count: 1,
          error: 'Athena.AmazonAthenaException',
          cause: 'SYNTAX_ERROR: line 1:8: no such column',
          table: 'search_terms_hourly',
        },
      ],
    });
    const hours = parseBackfillRange('2026-11-27T20', '2026-11-27T20').hours;
    const result = await runBackfill({
      runtime,
      probe: new LocalSourceDataProbe({ dataDir: fixture.dataDir }),
      hours,
    });
    const [hour] = result.hours;
    expect(hour).toMatchObject({ hour: '2026-11-27T20', status: 'FAILED', succeeded: 5, failed: 1 });
    expect(hourFailed(hour!)).toBe(true);
    expect(hour!.tables.find((t) => t.phase === 'failed')).toMatchObject({
      table: 'search_terms_hourly',
      error: 'Athena.AmazonAthenaException',
    });
  });

  it('runs the tables of an hour that have data and names the one that has none', async () => {
    const hour = parseHour('2026-11-27T21');
    await generateSampleData({ catalog: fixture.catalog, dataDir: fixture.dataDir, hour, scale: TEST_SCALE });
    const missing = fixture.catalog.tables.find((table) => table.name === 'device_errors_hourly')!;
    await rm(hourPartitionDirectory({ dataDir: fixture.dataDir }, missing, hour), { recursive: true });
    const io = fakeIo();
    expect(await backfill.run(['--from', hour.text, '--to', hour.text, ...common()], io)).toBe(0);
    expect(io.err()).toContain('[1/1] 2026-11-27T21  5 imported');
    expect(io.err()).toContain('0 failed, 1 no data');
    expect(io.out()).toContain(
      'No source data (not imported) for 1 table-hour(s):\n  2026-11-27T21  device_errors_hourly',
    );
    const gaps = await findLedgerGaps(fixture.database.db, tables, { from: hour, to: hour });
    expect(gaps).toEqual([{ table: 'device_errors_hourly', hour: hour.text, status: 'missing', failedAttempts: 0 }]);
  });

  it('rejects a bad range with an error naming the flag, before touching anything', async () => {
    const cases: [string[], RegExp][] = [
      [['--to', WITH_DATA[0]!], /--from is required/],
      [['--from', WITH_DATA[0]!], /--to is required/],
      [['--from', '2026-11-27T12', '--to', '2026-11-27T10'], /--from 2026-11-27T12 is after --to 2026-11-27T10/],
      [['--from', '2026-11-27 10', '--to', '2026-11-27T10'], /--from '2026-11-27 10' is not an hour/],
      [['--from', '2026-10-01T00', '--to', '2026-11-27T10'], /spans 1379 hours; at most 744 per backfill/],
      [['--from', WITH_DATA[0]!, '--to', WITH_DATA[0]!, '--tables', 'nope'], /--tables: unknown table\(s\) nope/],
    ];
    for (const [args, message] of cases) {
      const io = fakeIo();
      expect(await main(['backfill', ...args, ...common()], io), args.join(' ')).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.out()).toBe('');
    }
  });
});
