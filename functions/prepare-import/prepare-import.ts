import type { LedgerSuccess } from '../shared/aurora/ledger.ts';
import { type AthenaQuery, buildAthenaQuery } from '../shared/catalog/athena-query.ts';
import type { Catalog } from '../shared/catalog/catalog-types.ts';
import { UnknownTableError } from '../shared/errors.ts';
import { parseHour } from '../shared/hour.ts';

/** What the import machine's `PrepareImport` state passes. */
export interface PrepareImportRequest {
  readonly table: string;
  readonly hour: string;
  /** Source id of the data (EMR step id), or null for a manual run. */
  readonly source: string | null;
  readonly force: boolean;
}

/** The part of the ledger this step reads: narrow, so the step runs against PostgreSQL, PGlite or a test double. */
export interface SucceededImportLookup {
  /**
   * The latest succeeded import of (table, hour) for `source`; with `source` null, the latest of any source
   * (a manual run counts any earlier success as done).
   */
  findSucceeded(table: string, hour: string, source: string | null): Promise<LedgerSuccess | undefined>;
}

export type PrepareImportResult =
  | { readonly skip: true; readonly reason: string }
  | { readonly skip: false; readonly query: AthenaQuery };

/**
 * First state of every import: is this table-hour already imported (skip, unless forced), and if not, the Athena
 * query for it. The import core checks the ledger again under a lock; this early check saves the Athena query.
 */
export async function prepareImport(
  request: PrepareImportRequest,
  catalog: Catalog,
  ledger: SucceededImportLookup,
): Promise<PrepareImportResult> {
  const hour = parseHour(request.hour);
  const table = catalog.tables.find((candidate) => candidate.name === request.table);
  if (!table) {
    throw new UnknownTableError(
      request.table,
      catalog.tables.map((t) => t.name),
    );
  }
  if (!request.force) {
    const done = await ledger.findSucceeded(table.name, hour.text, request.source);
    if (done) {
      const from = done.source ? ` from source ${done.source}` : '';
      return {
        skip: true,
        reason: `already imported${from} at ${done.finishedAt.toISOString()} (${done.rowsInserted} inserted, ${done.rowsUpdated} updated); use force to re-import`,
      };
    }
  }
  return { skip: false, query: buildAthenaQuery(table, hour) };
}
