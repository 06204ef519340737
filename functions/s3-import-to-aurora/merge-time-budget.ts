import { ImportTimeBudgetError } from '../shared/errors.ts';

/**
 * Default merge speed assumed when deciding whether the time left covers the merge: rows per second of the
 * `INSERT ... SELECT ... ON CONFLICT` from staging. Deliberately low: BENCHMARKS.md measured the whole import path
 * (COPY included) at 32.6k rows/s on a loaded 2-core machine, so the merge alone runs faster than this.
 */
export const DEFAULT_MERGE_ROWS_PER_SECOND = 20_000;

/** Estimated milliseconds to merge `stagedRows` rows at `rowsPerSecond`. */
export function estimateMergeMs(stagedRows: number, rowsPerSecond: number = DEFAULT_MERGE_ROWS_PER_SECOND): number {
  if (!(rowsPerSecond > 0)) throw new RangeError(`mergeRowsPerSecond must be > 0, got ${rowsPerSecond}`);
  return Math.ceil((stagedRows / rowsPerSecond) * 1000);
}

/**
 * Throws `ImportTimeBudgetError` when the time left is below the merge's estimate: stopping before the merge rolls
 * back cleanly, while a Lambda killed mid-merge leaves the retry to wait for the dead session's locks.
 */
export function checkMergeBudget(
  table: string,
  budget: { stagedRows: number; remainingMs: number; rowsPerSecond?: number | undefined },
): void {
  const estimatedMergeMs = estimateMergeMs(budget.stagedRows, budget.rowsPerSecond);
  if (budget.remainingMs < estimatedMergeMs)
    throw new ImportTimeBudgetError(table, {
      stagedRows: budget.stagedRows,
      remainingMs: Math.max(0, budget.remainingMs),
      estimatedMergeMs,
    });
}
