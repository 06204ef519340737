import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLimitsFromEnv } from '../../functions/s3-import-to-aurora/import-limits.ts';
import {
  checkMergeBudget,
  DEFAULT_MERGE_ROWS_PER_SECOND,
  estimateMergeMs,
} from '../../functions/s3-import-to-aurora/merge-time-budget.ts';
import type { AuroraDatabase } from '../../functions/shared/aurora/aurora-database.ts';
import {
  acquireImportSlot,
  DEFAULT_HEAVY_SLOTS,
  DEFAULT_LIGHT_SLOTS,
  slotCount,
} from '../../functions/shared/aurora/import-slots.ts';
import { createPostgresDatabase } from '../../functions/shared/aurora/postgres-database.ts';
import { ImportSlotBusyError, ImportTimeBudgetError } from '../../functions/shared/errors.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';

let testDatabase: TestDatabase;
let database: AuroraDatabase;

beforeAll(async () => {
  testDatabase = await createTestDatabase('ai_slots');
  database = createPostgresDatabase({ connectionString: testDatabase.url, config: { max: 8 } });
});

afterAll(async () => {
  await database?.close();
  await testDatabase?.drop();
});

/** Holds a transaction open until `release` is called; resolves `taken` with the slot it got (or the error). */
function holdSlot(weight: 'heavy' | 'light', slots: number) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reportTaken!: (outcome: number | Error) => void;
  const taken = new Promise<number | Error>((resolve) => {
    reportTaken = resolve;
  });
  const done = database
    .transaction(async (tx) => {
      try {
        reportTaken(await acquireImportSlot(tx.db, 't', weight, slots));
      } catch (error) {
        reportTaken(error as Error);
        return;
      }
      await released;
    })
    .catch(() => undefined);
  return { taken, release, done };
}

describe('import slots (advisory locks in PostgreSQL)', () => {
  it('defaults to 1 heavy and 4 light slots, and refuses a count below 1', () => {
    expect([DEFAULT_HEAVY_SLOTS, DEFAULT_LIGHT_SLOTS]).toEqual([1, 4]);
    expect(slotCount('heavy', {})).toBe(1);
    expect(slotCount('light', {})).toBe(4);
    expect(slotCount('heavy', { heavySlots: 3 })).toBe(3);
    expect(() => slotCount('light', { lightSlots: 0 })).toThrow(/lightSlots must be a whole number ≥ 1, got 0/);
    expect(() => slotCount('heavy', { heavySlots: 1.5 })).toThrow(RangeError);
  });

  it('gives out each slot once across sessions, and ImportSlotBusyError when all are held', async () => {
    const first = holdSlot('heavy', 2);
    const second = holdSlot('heavy', 2);
    expect([await first.taken, await second.taken].sort()).toEqual([0, 1]);
    const third = holdSlot('heavy', 2);
    const busy = await third.taken;
    expect(busy).toBeInstanceOf(ImportSlotBusyError);
    expect((busy as Error).message).toBe('t: all 2 heavy import slots are busy; retry when one frees up');
    // Light slots are counted apart from heavy ones.
    const light = holdSlot('light', 1);
    expect(await light.taken).toBe(0);
    for (const holder of [first, second, third, light]) holder.release();
    await Promise.all([first.done, second.done, third.done, light.done]);
  });

  it('frees a slot at COMMIT, at ROLLBACK and when the session is killed', async () => {
    await database.transaction(async (tx) => {
      expect(await acquireImportSlot(tx.db, 't', 'heavy', 1)).toBe(0);
    });
    await database
      .transaction(async (tx) => {
        expect(await acquireImportSlot(tx.db, 't', 'heavy', 1)).toBe(0);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    const killed = database
      .transaction(async (tx) => {
        await acquireImportSlot(tx.db, 't', 'heavy', 1);
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx.db);
        await sql`select pg_terminate_backend(${rows[0]!.pid}, 5000)`.execute(database.db);
        await sql`select 1`.execute(tx.db);
      })
      .then(
        () => undefined,
        (error: unknown) => error as Error,
      );
    expect(await killed).toBeInstanceOf(Error);
    const after = holdSlot('heavy', 1);
    expect(await after.taken).toBe(0);
    after.release();
    await after.done;
  });
});

describe('the pre-merge time check', () => {
  it('estimates the merge from staged rows and a configurable rate', () => {
    expect(DEFAULT_MERGE_ROWS_PER_SECOND).toBe(20_000);
    expect(estimateMergeMs(100_000)).toBe(5_000);
    expect(estimateMergeMs(1_000, 100)).toBe(10_000);
    expect(() => estimateMergeMs(1, 0)).toThrow(/mergeRowsPerSecond must be > 0/);
  });

  it('throws ImportTimeBudgetError only when the time left is below the estimate', () => {
    expect(() => checkMergeBudget('t', { stagedRows: 100_000, remainingMs: 5_000 })).not.toThrow();
    let thrown: unknown;
    try {
      checkMergeBudget('t', { stagedRows: 100_000, remainingMs: 4_999 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ImportTimeBudgetError);
    expect((thrown as ImportTimeBudgetError).name).toBe('ImportTimeBudgetError');
    expect((thrown as Error).message).toBe(
      't: stopped before the merge: 100000 staged rows need an estimated 5000 ms, only 4999 ms of the time budget are left; nothing was written',
    );
  });
});

describe('import limits from the Lambda environment', () => {
  it('reads HEAVY_SLOTS, LIGHT_SLOTS and MERGE_ROWS_PER_SECOND; unset keeps the defaults', () => {
    expect(importLimitsFromEnv({})).toEqual({});
    expect(importLimitsFromEnv({ HEAVY_SLOTS: '2', LIGHT_SLOTS: ' 6 ', MERGE_ROWS_PER_SECOND: '45000.5' })).toEqual({
      heavySlots: 2,
      lightSlots: 6,
      mergeRowsPerSecond: 45_000.5,
    });
    expect(importLimitsFromEnv({ HEAVY_SLOTS: '' })).toEqual({});
  });

  it('names the variable holding a value it cannot use', () => {
    expect(() => importLimitsFromEnv({ HEAVY_SLOTS: '0' })).toThrow("HEAVY_SLOTS must be a whole number ≥ 1, got '0'");
    expect(() => importLimitsFromEnv({ LIGHT_SLOTS: '2.5' })).toThrow(/LIGHT_SLOTS/);
    expect(() => importLimitsFromEnv({ MERGE_ROWS_PER_SECOND: 'fast' })).toThrow(
      "MERGE_ROWS_PER_SECOND must be a number > 0, got 'fast'",
    );
  });
});
