import { ImportSlotBusyError } from '../shared/errors.ts';
import type { FunctionDependencies, FunctionLogic } from '../shared/runtime/function-dependencies.ts';
import { parseImportEvent } from './import-event.ts';
import { importLimitsFromEnv } from './import-limits.ts';
import { type ImportSummary, importResult } from './import-result.ts';

/** Time kept back from the Lambda's remaining time: the rollback, the failure ledger row, the log and metrics. */
const TIME_MARGIN_MS = 15_000;

function timeBudget(remainingMs: number): number | undefined {
  return Number.isFinite(remainingMs) ? Math.max(1_000, remainingMs - TIME_MARGIN_MS) : undefined;
}

/**
 * The `S3ImportToAurora` task: validate the input, run the import core, log with table and hour keys, and emit
 * `RowsImported`, `ImportDuration`, `ImportFailed` with the single dimension `table` (one metric series per table,
 * whatever the hour: CloudWatch bills each dimension combination). A busy database slot is no failure: it counts in
 * `SlotBusy` (dimension `weight`) and the state machine retries it. Slots and the merge-time estimate come from the
 * environment (`HEAVY_SLOTS`, `LIGHT_SLOTS`, `MERGE_ROWS_PER_SECOND`). The Lambda handler and the local engine both
 * call this; errors are rethrown unchanged, since their `name` is what the state machine's Retry/Catch match.
 */
export function createS3ImportToAuroraFunction(
  deps: Pick<FunctionDependencies, 'catalog' | 'logger' | 'metrics' | 'objectStore' | 'database' | 'env'>,
): FunctionLogic<ImportSummary> {
  const limits = importLimitsFromEnv(deps.env);
  return async (payload, invocation) => {
    const raw = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
    const table = typeof raw.table === 'string' ? raw.table : '';
    const hour = typeof raw.hour === 'string' ? raw.hour : '';
    const dimensions = table ? { table } : undefined;
    deps.logger.appendKeys({ table, hour });
    try {
      const event = parseImportEvent(payload);
      deps.logger.info('import started', {
        resultLocation: event.resultLocation,
        queryExecutionId: event.queryExecutionId,
      });
      const summary = await importResult({
        ...event,
        catalog: deps.catalog,
        database: await deps.database(),
        objectStore: deps.objectStore,
        timeBudgetMs: timeBudget(invocation.remainingTimeMs()),
        ...limits,
      });
      deps.metrics.add('RowsImported', 'Count', summary.rowsInserted + summary.rowsUpdated, dimensions);
      deps.metrics.add('ImportDuration', 'Milliseconds', summary.durationMs, dimensions);
      deps.metrics.add('ImportFailed', 'Count', 0, dimensions);
      deps.logger.info(`import ${summary.status}`, { ...summary });
      return summary;
    } catch (error) {
      if (error instanceof ImportSlotBusyError) {
        const weight = deps.catalog.tables.find((spec) => spec.name === table)?.weight ?? 'unknown';
        deps.metrics.add('SlotBusy', 'Count', 1, { weight });
        deps.logger.info('database slot busy, the state machine retries', { error: error.message });
        throw error;
      }
      deps.metrics.add('ImportFailed', 'Count', 1, dimensions);
      deps.logger.error('import failed', error as Error);
      throw error;
    } finally {
      deps.logger.removeKeys(['table', 'hour']);
    }
  };
}
