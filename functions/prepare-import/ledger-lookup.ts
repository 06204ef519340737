import type { Kysely } from 'kysely';
import type { LedgerSchema } from '../shared/aurora/ledger-table.ts';
import { parseHour } from '../shared/hour.ts';
import type { LedgerSuccess, SucceededImportLookup } from './prepare-import.ts';

/** `SucceededImportLookup` over the ledger table, for PostgreSQL and PGlite alike. */
export function ledgerLookup(db: Kysely<LedgerSchema>): SucceededImportLookup {
  return {
    async findSucceeded(table, hour, source): Promise<LedgerSuccess | undefined> {
      let query = db
        .selectFrom('import_ledger')
        .select(['source', 'finished_at', 'rows_inserted', 'rows_updated'])
        .where('table_name', '=', table)
        .where('hour', '=', parseHour(hour).start)
        .where('status', '=', 'succeeded');
      if (source !== null) query = query.where('source', '=', source);
      const row = await query.orderBy('finished_at', 'desc').limit(1).executeTakeFirst();
      if (!row) return undefined;
      return {
        source: row.source,
        finishedAt: new Date(row.finished_at),
        rowsInserted: Number(row.rows_inserted),
        rowsUpdated: Number(row.rows_updated),
      };
    },
  };
}
