import type { Kysely } from 'kysely';
import type { LedgerSchema, LedgerStatus } from '../../functions/shared/aurora/ledger-table.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';
import { type Hour, hourOf, hoursBetween } from '../../functions/shared/hour.ts';

/** One cell of the status grid: the latest ledger outcome of a table-hour, or missing. */
export interface GridCell {
  readonly table: string;
  readonly hour: string;
  readonly status: LedgerStatus | 'missing';
  readonly attempts: number;
  readonly rowsInserted?: number;
  readonly rowsUpdated?: number;
  readonly rowsDeleted?: number;
  readonly error?: string;
  readonly finishedAt?: string;
}

export interface LedgerGrid {
  readonly hours: string[];
  readonly tables: string[];
  readonly cells: GridCell[];
  /** Table-hours not imported successfully (missing or failed): what a catch-up or backfill would start. */
  readonly gaps: GridCell[];
}

/**
 * The hour × table grid from the ledger. Hours: the given ones, else every hour from the first ledger entry to the
 * last. A success anywhere in a table-hour's history wins over later skips (a skip means "already there").
 */
export async function readLedgerGrid(
  db: Kysely<LedgerSchema>,
  catalog: Catalog,
  range?: { from: Hour; to: Hour },
): Promise<LedgerGrid> {
  let query = db.selectFrom('import_ledger').selectAll().orderBy('finished_at', 'asc').orderBy('id', 'asc');
  if (range) query = query.where('hour', '>=', range.from.start).where('hour', '<=', range.to.start);
  const rows = await query.execute();
  const tables = catalog.tables.map((table) => table.name);
  let hours: string[];
  if (range) hours = hoursBetween(range.from, range.to).map((hour) => hour.text);
  else {
    const seen = rows.map((row) => new Date(row.hour).getTime());
    hours =
      seen.length === 0
        ? []
        : hoursBetween(hourOf(new Date(Math.min(...seen))), hourOf(new Date(Math.max(...seen)))).map((h) => h.text);
  }
  const byKey = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.table_name}|${hourOf(new Date(row.hour)).text}`;
    const list = byKey.get(key) ?? [];
    list.push(row);
    byKey.set(key, list);
  }
  const cells: GridCell[] = [];
  for (const hour of hours) {
    for (const table of tables) {
      const history = byKey.get(`${table}|${hour}`) ?? [];
      const attempts = history.filter((row) => row.status !== 'skipped').length;
      const success = history.filter((row) => row.status === 'succeeded').at(-1);
      const last = history.at(-1);
      if (success) {
        cells.push({
          table,
          hour,
          status: 'succeeded',
          attempts,
          rowsInserted: Number(success.rows_inserted),
          rowsUpdated: Number(success.rows_updated),
          rowsDeleted: Number(success.rows_deleted),
          finishedAt: new Date(success.finished_at).toISOString(),
        });
      } else if (last) {
        cells.push({
          table,
          hour,
          status: last.status,
          attempts,
          ...(last.error_name ? { error: `${last.error_name}: ${last.error_message ?? ''}` } : {}),
          finishedAt: new Date(last.finished_at).toISOString(),
        });
      } else cells.push({ table, hour, status: 'missing', attempts: 0 });
    }
  }
  return { hours, tables, cells, gaps: cells.filter((cell) => cell.status === 'missing' || cell.status === 'failed') };
}

const SYMBOL: Record<GridCell['status'], string> = {
  succeeded: 'ok',
  failed: 'FAILED',
  skipped: 'skipped',
  missing: '-',
};

/** The grid as a text table: one row per hour, one column per table. */
export function formatLedgerGrid(grid: LedgerGrid): string {
  if (grid.hours.length === 0) return 'The ledger is empty: nothing imported yet.\n';
  const header = ['hour', ...grid.tables];
  const rows = grid.hours.map((hour) => [
    hour,
    ...grid.tables.map((table) => {
      const cell = grid.cells.find((c) => c.hour === hour && c.table === table)!;
      return cell.status === 'succeeded' ? `ok ${cell.rowsInserted! + cell.rowsUpdated!}` : SYMBOL[cell.status];
    }),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map(line)];
  lines.push('', 'ok N: imported (N rows inserted or updated); FAILED: last attempt failed; -: never imported.');
  if (grid.gaps.length > 0) {
    lines.push(`${grid.gaps.length} gap(s): ${grid.gaps.map((gap) => `${gap.table}@${gap.hour}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
