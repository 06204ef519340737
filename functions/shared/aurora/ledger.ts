import { type Kysely, sql } from 'kysely';
import type { Hour } from '../hour.ts';
import { LEDGER_TABLE, type LedgerSchema, type LedgerStatus } from './ledger-table.ts';

/** One ledger row to write. */
export interface LedgerEntry {
  readonly table: string;
  readonly hour: Hour;
  readonly source: string | undefined;
  readonly status: LedgerStatus;
  readonly rowsInserted?: number;
  readonly rowsUpdated?: number;
  readonly rowsDeleted?: number;
  readonly bytes?: number;
  readonly durationMs: number;
  readonly queryExecutionId: string | undefined;
  readonly executionArn: string | undefined;
  readonly errorName?: string;
  readonly errorMessage?: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
}

/** Takes the transaction-level advisory lock of (table, hour): concurrent imports of one hour run one at a time. */
export async function lockTableHour(db: Kysely<LedgerSchema>, table: string, hour: Hour): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${table}), hashtext(${hour.text}))`.execute(db);
}

/** A succeeded import as the ledger has it. */
export interface LedgerSuccess {
  readonly source: string | null;
  readonly finishedAt: Date;
  readonly rowsInserted: number;
  readonly rowsUpdated: number;
}

/**
 * The latest succeeded import of (table, hour, source). Without a source (a manual run or a backfill), a succeeded
 * import from any source counts: only new source data (a new EMR step) or `force` imports an imported hour again.
 * PrepareImport's early check and the import core's check under the lock both ask this.
 */
export async function latestSuccess(
  db: Kysely<LedgerSchema>,
  table: string,
  hour: Hour,
  source: string | undefined,
): Promise<LedgerSuccess | undefined> {
  const row = await db
    .selectFrom(LEDGER_TABLE)
    .select(['source', 'finished_at', 'rows_inserted', 'rows_updated'])
    .where('table_name', '=', table)
    .where('hour', '=', hour.start)
    .where('status', '=', 'succeeded')
    .$if(source !== undefined, (query) => query.where('source', '=', source!))
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    source: row.source,
    finishedAt: new Date(row.finished_at),
    rowsInserted: Number(row.rows_inserted),
    rowsUpdated: Number(row.rows_updated),
  };
}

/** True when `latestSuccess` finds one. */
export async function hasSucceeded(
  db: Kysely<LedgerSchema>,
  table: string,
  hour: Hour,
  source: string | undefined,
): Promise<boolean> {
  return (await latestSuccess(db, table, hour, source)) !== undefined;
}

/** Appends a ledger row; `attempt` is one more than the rows already there for (table, hour). */
export async function writeLedgerEntry(db: Kysely<LedgerSchema>, entry: LedgerEntry): Promise<void> {
  await db
    .insertInto(LEDGER_TABLE)
    .values((eb) => ({
      table_name: entry.table,
      hour: entry.hour.start,
      source: entry.source ?? null,
      attempt: eb
        .selectFrom(LEDGER_TABLE)
        .select(sql<number>`(count(*) + 1)::int`.as('attempt'))
        .where('table_name', '=', entry.table)
        .where('hour', '=', entry.hour.start),
      status: entry.status,
      rows_inserted: entry.rowsInserted ?? 0,
      rows_updated: entry.rowsUpdated ?? 0,
      rows_deleted: entry.rowsDeleted ?? 0,
      bytes: entry.bytes ?? 0,
      duration_ms: Math.round(entry.durationMs),
      query_execution_id: entry.queryExecutionId ?? null,
      execution_arn: entry.executionArn ?? null,
      error_name: entry.errorName ?? null,
      error_message: entry.errorMessage ?? null,
      started_at: entry.startedAt,
      finished_at: entry.finishedAt,
    }))
    .execute();
}
