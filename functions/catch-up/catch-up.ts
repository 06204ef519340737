import type { Logger } from '@aws-lambda-powertools/logger';
import type { AuroraDatabase } from '../shared/aurora/aurora-database.ts';
import type { Catalog } from '../shared/catalog/catalog-types.ts';
import { addHours, type Hour, hourOf, parseHour } from '../shared/hour.ts';
import type { CatchUpConfig } from './catch-up-config.ts';
import { findLedgerGaps, type LedgerGap } from './ledger-gaps.ts';
import type { OrchestrationStarter } from './orchestration-starter.ts';
import type { SourceDataProbe } from './source-data-probe.ts';

/** What one sweep did. */
export interface CatchUpReport {
  /** The hours looked at, both inclusive. */
  readonly window: { readonly from: string; readonly to: string };
  /** Table-hours with no success in the ledger (with or without source data). */
  readonly gapsFound: number;
  readonly gaps: readonly LedgerGap[];
  /** One orchestration per hour, oldest first. */
  readonly started: readonly {
    readonly hour: string;
    readonly tables: readonly string[];
    readonly executionArn: string;
    readonly alreadyStarted: boolean;
  }[];
  /** Gaps whose source data does not exist (yet): nothing to import, so nothing started. */
  readonly skippedNoData: readonly { readonly hour: string; readonly table: string }[];
  /** Failed table-hours with `maxAttempts` failures in the ledger: not restarted, an operator decides (`backfill`). */
  readonly exhaustedAttempts: readonly {
    readonly hour: string;
    readonly table: string;
    readonly failedAttempts: number;
  }[];
  /** Hours with data left for the next sweep because this one reached `maxHoursPerRun`. */
  readonly deferred: readonly { readonly hour: string; readonly tables: readonly string[] }[];
}

export interface CatchUpDependencies {
  readonly catalog: Catalog;
  readonly database: () => Promise<AuroraDatabase>;
  readonly probe: SourceDataProbe;
  readonly starter: OrchestrationStarter;
  readonly config: CatchUpConfig;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

/** `yyyymmddHH` of an hour: the sweep's part of the execution names. */
function compactHour(hour: Hour): string {
  return hour.text.replace(/[-T]/g, '');
}

/** The deterministic execution name of the catch-up of `hour` by the sweep of `sweepHour`. */
export function catchUpExecutionName(hour: string, sweepHour: Hour): string {
  return `catch-up-${hour}-${compactHour(sweepHour)}`;
}

/** The window of a sweep at `now`: `windowHours` hours ending at the previous full hour. */
export function catchUpWindow(now: Date, windowHours: number): { from: Hour; to: Hour } {
  const to = addHours(hourOf(now), -1);
  return { from: addHours(to, -(windowHours - 1)), to };
}

/**
 * One catch-up sweep at `now`: finds the table-hours of the window the ledger has no success for, keeps those whose
 * source data exists, and starts one orchestration per hour (`{hour, tables}`), oldest first, one after another,
 * at most `maxHoursPerRun`. Execution names are deterministic per hour and sweep, so a retried sweep starts nothing
 * twice; the import's ledger check skips tables imported meanwhile.
 */
export async function runCatchUp(deps: CatchUpDependencies, now: Date): Promise<CatchUpReport> {
  const { from, to } = catchUpWindow(now, deps.config.windowHours);
  const sweepHour = hourOf(now);
  const database = await deps.database();
  const tables = deps.catalog.tables.map((table) => table.name);
  const gaps = await findLedgerGaps(database.db, tables, { from, to });
  const specs = new Map(deps.catalog.tables.map((table) => [table.name, table]));

  const withData = new Map<string, string[]>();
  const skippedNoData: { hour: string; table: string }[] = [];
  const exhaustedAttempts: CatchUpReport['exhaustedAttempts'][number][] = [];
  for (const gap of gaps) {
    if (gap.failedAttempts >= deps.config.maxAttempts) {
      exhaustedAttempts.push({ hour: gap.hour, table: gap.table, failedAttempts: gap.failedAttempts });
      continue;
    }
    const hasData = await deps.probe.hasData(specs.get(gap.table)!, parseHour(gap.hour));
    if (!hasData) {
      skippedNoData.push({ hour: gap.hour, table: gap.table });
      continue;
    }
    const list = withData.get(gap.hour) ?? [];
    list.push(gap.table);
    withData.set(gap.hour, list);
  }

  // Gaps come oldest hour first, and Map keeps insertion order.
  const hours = [...withData.entries()].map(([hour, hourTables]) => ({ hour, tables: hourTables }));
  const toStart = hours.slice(0, deps.config.maxHoursPerRun);
  const deferred = hours.slice(deps.config.maxHoursPerRun);
  const started: CatchUpReport['started'][number][] = [];
  for (const item of toStart) {
    // One at a time: each start finishes before the next begins (the local starter waits for the whole run).
    const result = await deps.starter.start(
      { hour: item.hour, tables: item.tables },
      catchUpExecutionName(item.hour, sweepHour),
    );
    started.push({ ...item, executionArn: result.executionArn, alreadyStarted: result.alreadyStarted });
    deps.logger?.info('catch-up started an orchestration', { ...item, ...result });
  }
  if (exhaustedAttempts.length > 0) {
    deps.logger?.warn('catch-up leaves table-hours that failed too often to an operator', {
      maxAttempts: deps.config.maxAttempts,
      exhaustedAttempts,
    });
  }
  if (deferred.length > 0) {
    deps.logger?.warn('catch-up reached its limit; later hours wait for the next sweep', {
      maxHoursPerRun: deps.config.maxHoursPerRun,
      deferred: deferred.map((item) => item.hour),
    });
  }
  return {
    window: { from: from.text, to: to.text },
    gapsFound: gaps.length,
    gaps,
    started,
    skippedNoData,
    exhaustedAttempts,
    deferred,
  };
}
