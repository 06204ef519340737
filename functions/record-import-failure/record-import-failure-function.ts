import { writeLedgerEntry } from '../shared/aurora/ledger.ts';
import { parseHour } from '../shared/hour.ts';
import type { FunctionDependencies, FunctionLogic } from '../shared/runtime/function-dependencies.ts';
import { optionalString, payloadObject, requiredString } from '../shared/runtime/payload.ts';

const NAME = 'record-import-failure';

/**
 * The `RecordAthenaFailure` state: an import that failed at Athena never reached the import Lambda, so nothing wrote
 * its ledger row. This one does (status `failed`, the Athena Error and Cause), so `status` shows the table-hour as
 * failed rather than missing, and the catch-up sweep counts the attempt against its limit.
 */
export function createRecordImportFailureFunction(
  deps: Pick<FunctionDependencies, 'catalog' | 'logger' | 'database'>,
): FunctionLogic<{ recorded: true }> {
  return async (payload) => {
    const input = payloadObject(payload, NAME);
    const table = requiredString(input, 'table', NAME);
    const hour = parseHour(requiredString(input, 'hour', NAME));
    if (!deps.catalog.tables.some((spec) => spec.name === table)) {
      throw new Error(`${NAME}: table '${table}' is not in the catalog`);
    }
    const now = new Date();
    const database = await deps.database();
    await writeLedgerEntry(database.db, {
      table,
      hour,
      source: optionalString(input, 'source', NAME) ?? undefined,
      status: 'failed',
      durationMs: 0,
      queryExecutionId: optionalString(input, 'queryExecutionId', NAME) ?? undefined,
      executionArn: optionalString(input, 'executionArn', NAME) ?? undefined,
      errorName: requiredString(input, 'error', NAME),
      errorMessage: optionalString(input, 'cause', NAME) ?? '',
      startedAt: now,
      finishedAt: now,
    });
    deps.logger.info('recorded a failed import', { table, hour: hour.text, error: input.error });
    return { recorded: true };
  };
}
