import type { FunctionDependencies, FunctionLogic } from '../shared/runtime/function-dependencies.ts';
import { optionalBoolean, optionalString, payloadObject, requiredString } from '../shared/runtime/payload.ts';
import { ledgerLookup } from './ledger-lookup.ts';
import { type PrepareImportResult, prepareImport } from './prepare-import.ts';

const NAME = 'prepare-import';

/** The `PrepareImport` state: ledger check, then the Athena query built from the catalog. */
export function createPrepareImportFunction(
  deps: Pick<FunctionDependencies, 'catalog' | 'logger' | 'database'>,
): FunctionLogic<PrepareImportResult> {
  return async (payload) => {
    const input = payloadObject(payload, NAME);
    const request = {
      table: requiredString(input, 'table', NAME),
      hour: requiredString(input, 'hour', NAME),
      source: optionalString(input, 'source', NAME),
      force: optionalBoolean(input, 'force', NAME),
    };
    const database = await deps.database();
    const result = await prepareImport(request, deps.catalog, ledgerLookup(database.db));
    deps.logger.info(result.skip ? 'import skipped' : 'import prepared', { ...request, ...result });
    return result;
  };
}
