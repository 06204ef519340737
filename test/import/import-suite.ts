import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportSummary, importResult } from '../../functions/s3-import-to-aurora/import-result.ts';
import type { AuroraDatabase } from '../../functions/shared/aurora/aurora-database.ts';
import { migrate } from '../../functions/shared/aurora/migrate.ts';
import { EmptyResultError, ImportValidationError, UnknownTableError } from '../../functions/shared/errors.ts';
import { ObjectNotFoundError } from '../../functions/shared/ports/object-store-errors.ts';
import type { FolderObjectStore } from '../../local/s3/folder-object-store.ts';
import {
  createTestObjectStore,
  csv,
  EDGE_HEADER,
  EDGE_ROWS,
  ledgerRows,
  snapshot,
  TEST_CATALOG,
  tableRows,
} from './import-fixtures.ts';

const HOUR = '2026-11-27T10';
const BUCKET = 'athena-results';

/**
 * The import core's behaviour, run against one backend. `open` gives a fresh, empty database for the suite; the
 * same assertions hold for PostgreSQL and PGlite.
 */
export function defineImportSuite(
  backend: string,
  open: () => Promise<{ database: AuroraDatabase; close(): Promise<void> }>,
) {
  describe(`importResult on ${backend}`, () => {
    let database: AuroraDatabase;
    let close: () => Promise<void>;
    let store: FolderObjectStore;
    let counter = 0;

    beforeAll(async () => {
      ({ database, close } = await open());
      store = await createTestObjectStore();
      await migrate(database, TEST_CATALOG);
      await migrate(database, TEST_CATALOG); // idempotent
    });

    afterAll(async () => {
      await close();
    });

    /** Puts `body` as a new result object and imports it. */
    async function load(
      table: string,
      body: string,
      options: { hour?: string; source?: string; force?: boolean } = {},
    ): Promise<ImportSummary> {
      counter++;
      const key = `results/q-${counter}.csv`;
      await store.putObject({ bucket: BUCKET, key }, body);
      return importResult({
        catalog: TEST_CATALOG,
        database,
        objectStore: store,
        table,
        hour: options.hour ?? HOUR,
        resultLocation: { bucket: BUCKET, key },
        queryExecutionId: `q-${counter}`,
        executionArn: `arn:aws:states:eu-west-1:123456789012:execution:import:${table}-${counter}`,
        source: options.source ?? `step-${counter}`,
        force: options.force ?? false,
      });
    }

    /** Runs a failing import and checks that nothing an import may touch changed; returns the error. */
    async function expectRejectedUnchanged(run: () => Promise<unknown>): Promise<Error> {
      const before = await snapshot(database);
      const failedBefore = (await ledgerRows(database)).filter((row) => row.includes(' failed ')).length;
      const error = await run().then(
        () => {
          throw new Error('expected the import to fail');
        },
        (caught: unknown) => caught as Error,
      );
      expect(await snapshot(database)).toEqual(before);
      if (!(error instanceof UnknownTableError)) {
        const failed = (await ledgerRows(database)).filter((row) => row.includes(' failed '));
        expect(failed).toHaveLength(failedBefore + 1);
        expect(failed.at(-1)).toContain(error.name);
      }
      return error;
    }

    it('keeps every CSV edge case exact: NULL vs "", quotes, commas, newlines, unicode, big numbers, zones, jsonb', async () => {
      const summary = await load('edge_cases', csv(EDGE_HEADER, EDGE_ROWS), { source: 'edge' });
      expect(summary).toMatchObject({
        table: 'edge_cases',
        hour: HOUR,
        status: 'succeeded',
        rowsInserted: 3,
        rowsUpdated: 0,
        rowsDeleted: 0,
      });
      expect(summary.bytes).toBe(Buffer.byteLength(csv(EDGE_HEADER, EDGE_ROWS)));
      const rows = (await tableRows(database, 'edge_cases')).map((row) => JSON.parse(row) as Record<string, unknown>);
      // JSON numbers lose the big integer's digits: ids and numerics are compared exactly as text below.
      const byId = new Map(rows.map((row) => [row.id === 2 || row.id === 3 ? String(row.id) : 'big', row]));
      expect(byId.get('big')).toEqual({
        id: expect.any(Number),
        hour: '2026-11-27T10:00:00+00:00',
        label: null,
        small: -32768,
        count: 2147483647,
        amount: expect.any(Number),
        ratio: 0.5,
        score: 1e-7,
        flag: true,
        seen_local: '2026-11-27T10:15:30.123',
        seen_at: '2026-11-27T10:15:30.123+00:00',
        day: '2026-11-27',
        doc: { a: [1, 'x'], b: null },
      });
      expect(byId.get('2')).toMatchObject({ label: '', amount: 1.123457, ratio: null, flag: false, doc: null });
      expect(byId.get('3')).toMatchObject({
        label: 'say "hi", then\nleave — ünïcødé ☕ 𝄞',
        amount: -0.000001,
        score: 1e300,
        seen_at: '2026-11-27T10:00:00+00:00',
        doc: [],
      });
      // Exact text of the values JSON would round: the big integer and the numeric scale.
      const exact = await sql<{
        id: string;
        amount: string;
      }>`select id::text as id, amount::text as amount from edge_cases order by id`.execute(database.db);
      expect(exact.rows).toEqual([
        { id: '2', amount: '1.123457' },
        { id: '3', amount: '-0.000001' },
        { id: '9223372036854775807', amount: '12345678901234.123456' },
      ]);
      expect((await ledgerRows(database)).at(-1)).toBe('edge_cases 2026-11-27T10 edge 1 succeeded 3 0 0 -');
    });

    it('skips a source the ledger already has; a forced re-import of the same file changes nothing', async () => {
      const before = await tableRows(database, 'edge_cases');
      const skipped = await load('edge_cases', csv(EDGE_HEADER, EDGE_ROWS), { source: 'edge' });
      expect(skipped).toMatchObject({ status: 'skipped', rowsInserted: 0, rowsUpdated: 0 });
      const again = await load('edge_cases', csv(EDGE_HEADER, EDGE_ROWS), { source: 'edge', force: true });
      expect(again).toMatchObject({ status: 'succeeded', rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
      expect(await tableRows(database, 'edge_cases')).toEqual(before);
      expect((await ledgerRows(database)).slice(-2)).toEqual([
        'edge_cases 2026-11-27T10 edge 2 skipped 0 0 0 -',
        'edge_cases 2026-11-27T10 edge 3 succeeded 0 0 0 -',
      ]);
    });

    it('upserts: changed rows are updated, new rows inserted, unchanged rows left alone', async () => {
      const changed = EDGE_ROWS[1]!.replace('"","0","0"', '"now set","0","1"');
      const added = EDGE_ROWS[1]!.replace('"2",', '"4",');
      const summary = await load('edge_cases', csv(EDGE_HEADER, [EDGE_ROWS[0]!, changed, EDGE_ROWS[2]!, added]));
      expect(summary).toMatchObject({ status: 'succeeded', rowsInserted: 1, rowsUpdated: 1, rowsDeleted: 0 });
      const rows = (await tableRows(database, 'edge_cases')).map((row) => JSON.parse(row) as Record<string, unknown>);
      expect(rows.map((row) => [row.label, row.count])).toEqual([
        ['now set', 1],
        ['say "hi", then\nleave — ünïcødé ☕ 𝄞', 42],
        ['', 0],
        [null, 2147483647],
      ]);
    });

    it('handles a key-only table (nothing to update) and a header-only upsert result', async () => {
      const header = '"term","hour"';
      const body = csv(header, ['"a","2026-11-27 10:00:00.000"', '"b","2026-11-27 10:00:00.000"']);
      expect(await load('key_only', body)).toMatchObject({ rowsInserted: 2, rowsUpdated: 0 });
      expect(await load('key_only', body)).toMatchObject({ rowsInserted: 0, rowsUpdated: 0 });
      expect(await load('key_only', csv(header, []))).toMatchObject({ status: 'succeeded', rowsInserted: 0 });
      expect(await tableRows(database, 'key_only')).toHaveLength(2);
    });

    const REPLACED_HEADER = '"term","hour","searches"';

    it('replace-partition deletes the hour rows absent from the result, and only that hour', async () => {
      await load('replaced', csv(REPLACED_HEADER, ['"x","2026-11-27 09:00:00.000","1"']), { hour: '2026-11-27T09' });
      await load(
        'replaced',
        csv(REPLACED_HEADER, [
          '"a","2026-11-27 10:00:00.000","1"',
          '"b","2026-11-27 10:00:00.000","2"',
          '"c","2026-11-27 10:00:00.000","3"',
        ]),
      );
      const summary = await load(
        'replaced',
        csv(REPLACED_HEADER, [
          '"a","2026-11-27 10:00:00.000","10"',
          '"b","2026-11-27 10:00:00.000","2"',
          '"d","2026-11-27 10:00:00.000","4"',
        ]),
      );
      expect(summary).toMatchObject({ rowsInserted: 1, rowsUpdated: 1, rowsDeleted: 1 });
      expect(
        (await tableRows(database, 'replaced')).map((row) => {
          const { term, hour, searches } = JSON.parse(row) as { term: string; hour: string; searches: number };
          return `${term} ${hour.slice(11, 13)} ${searches}`;
        }),
      ).toEqual(['a 10 10', 'b 10 2', 'd 10 4', 'x 09 1']);
    });

    it('replace-partition refuses an empty result unless the table allows it', async () => {
      const error = await expectRejectedUnchanged(() => load('replaced', csv(REPLACED_HEADER, [])));
      expect(error).toBeInstanceOf(EmptyResultError);
      expect(error.name).toBe('EmptyResultError');
      expect(error).toBeInstanceOf(ImportValidationError);
      expect(error.message).toContain('allowEmpty');

      await load('replaced_may_empty', csv(REPLACED_HEADER, ['"a","2026-11-27 10:00:00.000","1"']));
      const emptied = await load('replaced_may_empty', csv(REPLACED_HEADER, []));
      expect(emptied).toMatchObject({ status: 'succeeded', rowsDeleted: 1 });
      expect(await tableRows(database, 'replaced_may_empty')).toEqual([]);
    });

    it('rejects a header that does not match the catalog, naming expected and found columns', async () => {
      const swapped = EDGE_HEADER.replace('"label","small"', '"small","label"');
      const error = await expectRejectedUnchanged(() => load('edge_cases', csv(swapped, [])));
      expect(error).toBeInstanceOf(ImportValidationError);
      expect(error.message).toContain('expected (id, hour, label, small,');
      expect(error.message).toContain('found (id, hour, small, label,');
      expect(error.message).toContain('same names, different order');

      const missing = await expectRejectedUnchanged(() =>
        load('replaced', csv('"term","hour","searchez"', []), { force: true }),
      );
      expect(missing.message).toMatch(/missing: searches; unexpected: searchez/);

      const empty = await expectRejectedUnchanged(() => load('replaced', ''));
      expect(empty.message).toContain('empty: no header line');
    });

    it('rejects a row of another hour, naming its key', async () => {
      const rows = [
        EDGE_ROWS[0]!,
        EDGE_ROWS[1]!.replace('"2","2026-11-27 10:00:00.000"', '"2","2026-11-27 11:00:00.000"'),
      ];
      const error = await expectRejectedUnchanged(() => load('edge_cases', csv(EDGE_HEADER, rows)));
      expect(error).toBeInstanceOf(ImportValidationError);
      expect(error.name).toBe('ImportValidationError');
      expect(error.message).toContain('does not belong to hour 2026-11-27T10');
      expect(error.message).toContain('id="2", hour="2026-11-27 11:00:00+00"');
    });

    it('rejects a duplicate key, naming it', async () => {
      const rows = [EDGE_ROWS[0]!, EDGE_ROWS[1]!, EDGE_ROWS[1]!.replace('"false"', '"true"')];
      const error = await expectRejectedUnchanged(() => load('edge_cases', csv(EDGE_HEADER, rows)));
      expect(error).toBeInstanceOf(ImportValidationError);
      expect(error.message).toMatch(
        /duplicate primary key \(id, hour\): id="2", hour="2026-11-27 10:00:00\+00" appears 2 times/,
      );
    });

    it('finds duplicates however the merge meets them: new keys, unchanged rows, a key-only table', async () => {
      const fresh = await expectRejectedUnchanged(() =>
        load(
          'replaced',
          csv(REPLACED_HEADER, ['"n","2026-11-27 13:00:00.000","1"', '"n","2026-11-27 13:00:00.000","2"']),
          {
            hour: '2026-11-27T13',
          },
        ),
      );
      expect(fresh.message).toContain(
        'duplicate primary key (term, hour): term="n", hour="2026-11-27 13:00:00+00" appears 2 times',
      );

      // Both copies equal the stored row: the merge changes nothing and raises nothing, the count check catches it.
      const stored = '"a","2026-11-27 10:00:00.000","10"';
      const unchanged = await expectRejectedUnchanged(() =>
        load(
          'replaced',
          csv(REPLACED_HEADER, [
            stored,
            stored,
            '"b","2026-11-27 10:00:00.000","2"',
            '"d","2026-11-27 10:00:00.000","4"',
          ]),
        ),
      );
      expect(unchanged.message).toContain('term="a", hour="2026-11-27 10:00:00+00" appears 2 times');

      const keyOnly = await expectRejectedUnchanged(() =>
        load('key_only', csv('"term","hour"', ['"q","2026-11-27 10:00:00.000"', '"q","2026-11-27 10:00:00.000"'])),
      );
      expect(keyOnly.message).toContain('term="q", hour="2026-11-27 10:00:00+00" appears 2 times');
    });

    it('rejects values PostgreSQL cannot read, with the line and column', async () => {
      // The bad row is record 5 but line 6: PostgreSQL counts physical lines, and row 3 holds a newline.
      const rows = [...EDGE_ROWS, EDGE_ROWS[1]!.replace('"2","2026', '"5","2026').replace('"0","0"', '"0","many"')];
      const bad = await expectRejectedUnchanged(() => load('edge_cases', csv(EDGE_HEADER, rows)));
      expect(bad).toBeInstanceOf(ImportValidationError);
      expect(bad.message).toContain('invalid input syntax for type integer: "many"');
      expect(bad.message).toContain('line 6, column count');

      const nullKey = await expectRejectedUnchanged(() =>
        load('replaced', csv(REPLACED_HEADER, ['"a","2026-11-27 10:00:00.000",'])),
      );
      expect(nullKey).toBeInstanceOf(ImportValidationError);
      expect(nullKey.message).toMatch(/null value in column "searches"/);

      const overflow = await expectRejectedUnchanged(() =>
        load('edge_cases', csv(EDGE_HEADER, [EDGE_ROWS[1]!.replace('"1.1234567"', '"123456789012345.5"')])),
      );
      expect(overflow).toBeInstanceOf(ImportValidationError);
      expect(overflow.message).toMatch(/numeric field overflow.*line 2, column amount/s);

      const ragged = await expectRejectedUnchanged(() =>
        load('replaced', csv(REPLACED_HEADER, ['"a","2026-11-27 10:00:00.000"'])),
      );
      expect(ragged).toBeInstanceOf(ImportValidationError);
      expect(ragged.message).toMatch(/missing data for column "searches"/);
    });

    it('rejects a missing object, an unknown table and a bad hour with typed errors', async () => {
      const missing = await expectRejectedUnchanged(() =>
        importResult({
          catalog: TEST_CATALOG,
          database,
          objectStore: store,
          table: 'replaced',
          hour: HOUR,
          resultLocation: { bucket: BUCKET, key: 'results/absent.csv' },
          queryExecutionId: 'q-absent',
        }),
      );
      expect(missing).toBeInstanceOf(ObjectNotFoundError);

      const unknown = await expectRejectedUnchanged(() => load('nope', csv(REPLACED_HEADER, [])));
      expect(unknown).toBeInstanceOf(UnknownTableError);
      expect(unknown.message).toContain("unknown table 'nope'; the catalog has: edge_cases, replaced");

      await expect(load('replaced', csv(REPLACED_HEADER, []), { hour: '2026-11-27 10' })).rejects.toThrow(
        ImportValidationError,
      );
    });

    it('runs concurrent imports of the same source once: one succeeds, the other is skipped', async () => {
      const body = csv(REPLACED_HEADER, ['"z","2026-11-27 12:00:00.000","1"']);
      const results = await Promise.all([
        load('replaced', body, { hour: '2026-11-27T12', source: 'same-step' }),
        load('replaced', body, { hour: '2026-11-27T12', source: 'same-step' }),
      ]);
      expect(results.map((result) => result.status).sort()).toEqual(['skipped', 'succeeded']);
    });
  });
}
