import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import { main } from '../../local/cli/main.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

const DEMO_CSV = fileURLToPath(new URL('../../local/demo/demo-show_plays_hourly-2026-11-27T10.csv', import.meta.url));

async function run(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const code = await main(argv, { stdout, stderr, env: {}, cwd });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('aurora-imports load', () => {
  let testDatabase: TestDatabase;
  let cwd: string;

  beforeAll(async () => {
    testDatabase = await createTestDatabase('ai_load');
    cwd = await mkdtemp(join(tmpdir(), 'load-cli-'));
  });

  afterAll(async () => {
    await testDatabase.drop();
  });

  it('loads the shipped demo CSV into PostgreSQL, then skips the same manual load unless --force', async () => {
    const args = ['load', '--table', 'show_plays_hourly', '--partition', '2026-11-27T10', '--csv', DEMO_CSV];
    const first = await run([...args, '--database-url', testDatabase.url], cwd);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^succeeded show_plays_hourly 2026-11-27T10: inserted 100, updated 0, deleted 0, \d+ bytes in \d+ ms\n$/,
    );
    const again = await run([...args, '--database-url', testDatabase.url], cwd);
    expect(again.stdout).toMatch(/^skipped show_plays_hourly 2026-11-27T10: inserted 0/);
    expect(again.stderr).toContain('--force loads it again');
    const forced = await run([...args, '--database-url', testDatabase.url, '--force'], cwd);
    expect(forced.stdout).toMatch(/^succeeded show_plays_hourly 2026-11-27T10: inserted 0, updated 0, deleted 0/);

    const database = createPostgresDatabase({ connectionString: testDatabase.url });
    try {
      const count = await sql<{ n: number }>`select count(*)::int as n from show_plays_hourly`.execute(database.db);
      expect(count.rows[0]?.n).toBe(100);
    } finally {
      await database.close();
    }
  });

  it('exits 1 with the error name and message, and 2 on usage errors', async () => {
    const bad = join(cwd, 'bad.csv');
    await writeFile(bad, '"show_id","hour"\n"1","2026-11-27 10:00:00.000"\n');
    const failed = await run(
      [
        'load',
        '--table',
        'show_plays_hourly',
        '--partition',
        '2026-11-27T10',
        '--csv',
        bad,
        '--database-url',
        testDatabase.url,
      ],
      cwd,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^aurora-imports load: ImportValidationError: show_plays_hourly: the CSV header does not match/,
    );
    const unknown = await run(
      ['load', '--table', 'nope', '--partition', '2026-11-27T10', '--csv', bad, '--database-url', testDatabase.url],
      cwd,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("UnknownTableError: unknown table 'nope'");
    const usage = await run(['load', '--table', 'show_plays_hourly'], cwd);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--table, --partition and --csv are required');
  });

  it('uses embedded PGlite under the state dir when no database URL is given', async () => {
    const stateDir = join(cwd, 'state');
    const result = await run(
      [
        'load',
        '--table',
        'show_plays_hourly',
        '--partition',
        '2026-11-27T10',
        '--csv',
        DEMO_CSV,
        '--state-dir',
        stateDir,
      ],
      cwd,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^succeeded show_plays_hourly 2026-11-27T10: inserted 100/);
    const again = await run(
      [
        'load',
        '--table',
        'show_plays_hourly',
        '--partition',
        '2026-11-27T10',
        '--csv',
        DEMO_CSV,
        '--state-dir',
        stateDir,
      ],
      cwd,
    );
    // The ledger persisted in <stateDir>/pglite.
    expect(again.stdout).toMatch(/^skipped show_plays_hourly/);
  });
});
