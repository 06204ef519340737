import type { Kysely } from 'kysely';
import type { LedgerSchema } from '../shared/aurora/ledger-table.ts';
import { type Hour, hourOf, hoursBetween } from '../shared/hour.ts';

/** A table-hour the ledger has no success for. */
export interface LedgerGap {
  readonly table: string;
  readonly hour: string;
  /** `failed`: the last attempt failed; `missing`: never attempted (or only skipped). */
  readonly status: 'missing' | 'failed';
  /** Failed attempts the ledger records for it (Aurora-stage failures; an Athena failure writes no ledger row). */
  readonly failedAttempts: number;
}

/**
 * Table-hours in `[from, to]` without a successful import, oldest hour first, tables in the given order. One query
 * over the ledger's (table, hour) rows in the range; a success anywhere in a table-hour's history closes it.
 */
export async function findLedgerGaps(
  db: Kysely<LedgerSchema>,
  tables: readonly string[],
  range: { from: Hour; to: Hour },
): Promise<LedgerGap[]> {
  const rows = await db
    .selectFrom('import_ledger')
    .select(['table_name', 'hour', 'status'])
    .where('hour', '>=', range.from.start)
    .where('hour', '<=', range.to.start)
    .orderBy('finished_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  const succeeded = new Set<string>();
  const lastStatus = new Map<string, string>();
  const failures = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.table_name}|${hourOf(new Date(row.hour)).text}`;
    if (row.status === 'succeeded') succeeded.add(key);
    if (row.status !== 'skipped') lastStatus.set(key, row.status);
    if (row.status === 'failed') failures.set(key, (failures.get(key) ?? 0) + 1);
  }
  const gaps: LedgerGap[] = [];
  for (const hour of hoursBetween(range.from, range.to)) {
    for (const table of tables) {
      const key = `${table}|${hour.text}`;
      if (succeeded.has(key)) continue;
      gaps.push({
        table,
        hour: hour.text,
        status: lastStatus.get(key) === 'failed' ? 'failed' : 'missing',
        failedAttempts: failures.get(key) ?? 0,
      });
    }
  }
  return gaps;
}
