import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../local/cli/main.ts';
import { captureIo } from '../support/capture-io.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let testDatabase: TestDatabase;
let stateDir: string;

beforeAll(async () => {
  testDatabase = await createTestDatabase('ai_demo');
  stateDir = await mkdtemp(join(tmpdir(), 'ai-demo-'));
});

afterAll(async () => {
  await testDatabase?.drop();
  await rm(stateDir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const io = captureIo(stateDir);
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('aurora-imports demo (what npm start runs)', () => {
  const demo = () => cli(['demo', '--state-dir', stateDir, '--database-url', testDatabase.url, '--scale', '0.02']);

  it('generates the hour, triggers the pipeline from an EMR event, imports every table, then finds nothing new', async () => {
    const first = await demo();
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Generated sample EMR output');
    expect(first.stderr).toContain("EMR step 'hourly-aggregations'");
    expect(first.stdout).toMatch(/^Hour 2026-11-27T10:/);
    expect(first.stdout).toMatch(/6 imported \(\d+ rows written\), 0 skipped, 0 failed/);

    const second = await demo();
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('Sample EMR output already present for 6 tables.');
    expect(second.stdout).toContain('0 imported (0 rows written), 6 skipped, 0 failed');
    expect(second.stdout).toContain('Nothing new to import');

    const status = await cli(['status', '--state-dir', stateDir, '--database-url', testDatabase.url, '--json']);
    expect(status.code).toBe(0);
    const grid = JSON.parse(status.stdout) as { cells: { status: string }[]; gaps: unknown[] };
    expect(grid.cells.map((cell) => cell.status)).toEqual(Array(6).fill('succeeded'));
    expect(grid.gaps).toEqual([]);

    const events = await cli(['events', '--state-dir', stateDir, '--json']);
    const published = JSON.parse(events.stdout) as { 'detail-type': string }[];
    expect(published.filter((event) => event['detail-type'] === 'Import Succeeded')).toHaveLength(6);
    expect(published.filter((event) => event['detail-type'] === 'Import Skipped')).toHaveLength(6);
  });

  it('shows the retry loop with injected Athena throttling, and refuses bad options by name', async () => {
    const retried = await cli([
      'demo',
      '--state-dir',
      stateDir,
      '--database-url',
      testDatabase.url,
      '--hour',
      '2026-11-27T11',
      '--scale',
      '0.02',
      '--athena-faults',
      '1:Athena.TooManyRequestsException:Rate exceeded',
    ]);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain('(Athena attempt 2)');
    expect((await cli(['demo', '--hour', '2026-11-27 11'])).code).toBe(2);
    expect((await cli(['demo', '--scale', '0'])).stderr).toContain("--scale must be a positive number, got '0'");
    expect((await cli(['demo', '--athena', 'presto'])).stderr).toContain(
      "--athena must be duckdb or aws, got 'presto'",
    );
  });
});
