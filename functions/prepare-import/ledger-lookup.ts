import type { Kysely } from 'kysely';
import { latestSuccess } from '../shared/aurora/ledger.ts';
import type { LedgerSchema } from '../shared/aurora/ledger-table.ts';
import { parseHour } from '../shared/hour.ts';
import type { SucceededImportLookup } from './prepare-import.ts';

/** `SucceededImportLookup` over the ledger table (the same rule the import core applies under its lock). */
export function ledgerLookup(db: Kysely<LedgerSchema>): SucceededImportLookup {
  return {
    findSucceeded: (table, hour, source) => latestSuccess(db, table, parseHour(hour), source ?? undefined),
  };
}
