import type { SourceDataProbe } from '../../functions/catch-up/source-data-probe.ts';
import { type Hour, hoursBetween, InvalidHourError, parseHour } from '../../functions/shared/hour.ts';
import { ImportProgress, type TableProgress } from './import-progress.ts';
import type { LocalRuntime } from './local-runtime.ts';

/** A month of hours: longer ranges are split by the operator, so one mistake cannot queue a year of imports. */
export const MAX_BACKFILL_HOURS = 24 * 31;

/** The backfill's range is invalid; the message names the flag. */
export class BackfillRangeError extends Error {
  override readonly name = 'BackfillRangeError';
}

/** Parses and checks `--from` / `--to`: both hours, from <= to, at most {@link MAX_BACKFILL_HOURS} hours. */
export function parseBackfillRange(
  from: string | undefined,
  to: string | undefined,
  maxHours = MAX_BACKFILL_HOURS,
): { from: Hour; to: Hour; hours: Hour[] } {
  if (!from) throw new BackfillRangeError('--from is required (e.g. --from 2026-11-27T00)');
  if (!to)
    throw new BackfillRangeError('--to is required (e.g. --to 2026-11-27T23; use the same hour as --from for one)');
  let range: { from: Hour; to: Hour };
  try {
    range = { from: parseHour(from, '--from'), to: parseHour(to, '--to') };
  } catch (error) {
    if (error instanceof InvalidHourError) throw new BackfillRangeError(error.message);
    throw error;
  }
  if (range.from.start > range.to.start) {
    throw new BackfillRangeError(`--from ${from} is after --to ${to}: the range must run forward`);
  }
  const count = (range.to.start.getTime() - range.from.start.getTime()) / 3_600_000 + 1;
  if (count > maxHours) {
    throw new BackfillRangeError(
      `--from ${from} --to ${to} spans ${count} hours; at most ${maxHours} per backfill (split the range)`,
    );
  }
  return { ...range, hours: hoursBetween(range.from, range.to) };
}

/** How one hour of a backfill ended. */
export interface BackfillHourResult {
  readonly hour: string;
  /** The orchestrator's status, or `NOT_STARTED` when no requested table had source data. */
  readonly status: string;
  readonly executionArn?: string;
  /** Tables the orchestrator ran, with their outcome. */
  readonly tables: readonly TableProgress[];
  readonly succeeded: number;
  readonly skipped: number;
  readonly failed: number;
  /** Requested tables with no source files for the hour: not run (an empty import would be recorded as done). */
  readonly noData: readonly string[];
  readonly rowsWritten: number;
  /** The orchestrator's own error when it failed without a failed table (e.g. a planning error). */
  readonly error?: string;
  readonly durationMs: number;
}

export interface BackfillResult {
  readonly from: string;
  readonly to: string;
  readonly tables: readonly string[];
  readonly force: boolean;
  readonly hours: readonly BackfillHourResult[];
  readonly totals: { succeeded: number; skipped: number; failed: number; noData: number; rowsWritten: number };
}

export interface BackfillOptions {
  readonly runtime: Pick<LocalRuntime, 'catalog' | 'engine' | 'runHour'>;
  readonly probe: SourceDataProbe;
  readonly hours: readonly Hour[];
  /** Catalog table names; all when absent. */
  readonly tables?: readonly string[];
  readonly force?: boolean;
  /** Called before an hour starts (index from 0) and after it ends. */
  readonly onHourStart?: (hour: string, index: number, total: number) => void;
  readonly onHourDone?: (result: BackfillHourResult, index: number, total: number) => void;
  /** Per-table progress of the running hour. */
  readonly onTableProgress?: (progress: TableProgress) => void;
}

/**
 * Runs the orchestrator for each hour, oldest first, strictly one hour after another (heavy imports of two hours
 * never overlap). Per hour, only the tables whose source data exists are run; the others are reported as no data.
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const { runtime } = options;
  const names = options.tables ?? runtime.catalog.tables.map((table) => table.name);
  const specs = new Map(runtime.catalog.tables.map((table) => [table.name, table]));
  const results: BackfillHourResult[] = [];
  for (const [index, hour] of options.hours.entries()) {
    options.onHourStart?.(hour.text, index, options.hours.length);
    const started = Date.now();
    const withData: string[] = [];
    const noData: string[] = [];
    for (const name of names) {
      const spec = specs.get(name);
      if (spec && !(await options.probe.hasData(spec, hour))) noData.push(name);
      else withData.push(name); // an unknown name goes to the orchestrator, whose plan rejects it with the reason
    }
    let result: BackfillHourResult;
    if (withData.length === 0) {
      result = emptyHour(hour.text, noData, Date.now() - started);
    } else {
      const progress = new ImportProgress(withData, options.onTableProgress);
      const unsubscribe = runtime.engine.onEvent(progress.observe);
      let execution: Awaited<ReturnType<LocalRuntime['runHour']>>;
      try {
        execution = await runtime.runHour({ hour: hour.text, tables: withData, force: options.force === true });
      } finally {
        unsubscribe();
      }
      const tables = [...progress.tables.values()];
      const failed = tables.filter((t) => t.phase !== 'succeeded' && t.phase !== 'skipped').length;
      result = {
        hour: hour.text,
        status: execution.status,
        executionArn: execution.executionArn,
        tables,
        succeeded: tables.filter((t) => t.phase === 'succeeded').length,
        skipped: tables.filter((t) => t.phase === 'skipped').length,
        failed,
        noData,
        rowsWritten: tables.reduce((sum, t) => sum + (t.rowsInserted ?? 0) + (t.rowsUpdated ?? 0), 0),
        ...(execution.status !== 'SUCCEEDED' && failed === 0
          ? { error: `${execution.error ?? execution.status}: ${execution.cause ?? ''}`.trim() }
          : {}),
        durationMs: Date.now() - started,
      };
    }
    results.push(result);
    options.onHourDone?.(result, index, options.hours.length);
  }
  const sum = (key: 'succeeded' | 'skipped' | 'failed' | 'rowsWritten') =>
    results.reduce((total, hour) => total + hour[key], 0);
  return {
    from: options.hours[0]?.text ?? '',
    to: options.hours.at(-1)?.text ?? '',
    tables: names,
    force: options.force === true,
    hours: results,
    totals: {
      succeeded: sum('succeeded'),
      skipped: sum('skipped'),
      failed: sum('failed'),
      noData: results.reduce((total, hour) => total + hour.noData.length, 0),
      rowsWritten: sum('rowsWritten'),
    },
  };
}

function emptyHour(hour: string, noData: string[], durationMs: number): BackfillHourResult {
  return {
    hour,
    status: 'NOT_STARTED',
    tables: [],
    succeeded: 0,
    skipped: 0,
    failed: 0,
    noData,
    rowsWritten: 0,
    durationMs,
  };
}

/** True when an hour went wrong: a table failed, or the orchestrator failed on its own. */
export function hourFailed(result: BackfillHourResult): boolean {
  return result.failed > 0 || result.error !== undefined;
}
