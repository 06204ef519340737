import { Readable } from 'node:stream';
import { CompiledQuery, sql } from 'kysely';
import pg from 'pg';
import type { AuroraDatabase, AuroraTransaction } from '../../functions/shared/aurora/aurora-database.ts';
import type { LedgerSchema } from '../../functions/shared/aurora/ledger-table.ts';
import { createSessionKysely } from '../../functions/shared/aurora/session-dialect.ts';
import type { Catalog, TableWeight } from '../../functions/shared/catalog/catalog-types.ts';

/**
 * Where a fault fires inside one import transaction:
 * - `copy-start`: COPY is about to begin (no byte sent yet);
 * - `mid-copy`: after the `chunk`-th chunk of the result reached COPY, with the rest still to come;
 * - `merge`: while the merge statement runs (it is held on a table lock, then its backend is killed);
 * - `before-commit`: the merge and the ledger row are done, COMMIT is next.
 */
export type FaultPoint = 'copy-start' | 'mid-copy' | 'merge' | 'before-commit';

/** One planned fault: the first import of `table`/`hour` to reach `point` runs `action` (once). */
export interface ArmedFault {
  readonly table: string;
  readonly hour: string;
  readonly point: FaultPoint;
  /** For `mid-copy`: fire after this many chunks (or at the end of a shorter result, still before COPY ends). */
  readonly chunk?: number;
  /** `kill`: pg_terminate_backend on the import's session. `abort`: call `onAbort` (stop the execution). */
  readonly action: 'kill' | { readonly abort: () => void };
}

interface ImportState {
  table?: string;
  hour?: string;
  pid?: number;
}

/**
 * A test seam around the real Aurora port (no production hook): it watches every import transaction, knows which
 * table-hour it is from the (table, hour) lock statement, counts heavy/light imports in flight, and fires planned
 * faults at precise points by killing the import's own backend from a separate admin connection.
 */
export class ImportProbe implements AuroraDatabase {
  readonly kind = 'postgres' as const;
  readonly #inner: AuroraDatabase;
  readonly #catalog: Catalog;
  readonly #admin: pg.Client;
  readonly #inFlight = new Set<Promise<unknown>>();
  #armed: ArmedFault | undefined;
  /** Faults that fired, in order, as `table hour point`. */
  readonly fired: string[] = [];
  readonly active: Record<TableWeight, number> = { heavy: 0, light: 0 };
  readonly maxActive: Record<TableWeight, number> = { heavy: 0, light: 0 };

  private constructor(inner: AuroraDatabase, catalog: Catalog, admin: pg.Client) {
    this.#inner = inner;
    this.#catalog = catalog;
    this.#admin = admin;
  }

  static async create(inner: AuroraDatabase, catalog: Catalog, url: string): Promise<ImportProbe> {
    const admin = new pg.Client({ connectionString: url, application_name: 'reliability-probe' });
    await admin.connect();
    return new ImportProbe(inner, catalog, admin);
  }

  get db() {
    return this.#inner.db;
  }

  /** Plans the next fault (replacing an unfired one). */
  arm(fault: ArmedFault): void {
    this.#armed = fault;
  }

  /** The planned fault, if it has not fired. */
  get armed(): ArmedFault | undefined {
    return this.#armed;
  }

  resetCounters(): void {
    this.maxActive.heavy = 0;
    this.maxActive.light = 0;
  }

  /** Waits until no transaction is in flight (an aborted execution's Lambda may still be finishing its import). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  transaction<T>(work: (tx: AuroraTransaction) => Promise<T>): Promise<T> {
    const running = this.#inner.transaction((tx) => this.#observe(tx, work));
    this.#inFlight.add(running);
    const forget = () => this.#inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  async close(): Promise<void> {
    await this.drain();
    await this.#admin.end();
    await this.#inner.close();
  }

  async #observe<T>(tx: AuroraTransaction, work: (tx: AuroraTransaction) => Promise<T>): Promise<T> {
    const state: ImportState = {};
    const pidResult = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx.db);
    state.pid = pidResult.rows[0]?.pid;
    let counted: TableWeight | undefined;
    const db = createSessionKysely<LedgerSchema>({
      query: async (text, parameters) => {
        if (text.includes('pg_advisory_xact_lock(hashtext(')) {
          state.table = String(parameters[0]);
          state.hour = String(parameters[1]);
        }
        const compiled = CompiledQuery.raw(text, [...parameters]);
        // The merge's first write: the replace-partition DELETE or the INSERT ... ON CONFLICT into the target.
        const isMerge =
          state.table !== undefined &&
          (text.includes(`insert into "${state.table}"`) || text.startsWith(`delete from "${state.table}"`));
        const fault = isMerge ? this.#take(state, 'merge') : undefined;
        if (fault) return this.#runHeldThenKilled(state, fault, () => tx.db.executeQuery(compiled));
        const result = await tx.db.executeQuery(compiled);
        return {
          rows: result.rows as Record<string, unknown>[],
          affectedRows: result.numAffectedRows === undefined ? undefined : Number(result.numAffectedRows),
        };
      },
    });
    const observed: AuroraTransaction = {
      db,
      copyFrom: async (table, csv) => {
        const weight = this.#weightOf(state.table);
        if (weight) {
          counted = weight;
          this.active[weight] += 1;
          this.maxActive[weight] = Math.max(this.maxActive[weight], this.active[weight]);
        }
        const atStart = this.#take(state, 'copy-start');
        if (atStart) await this.#fire(state, atStart);
        const midCopy = this.#take(state, 'mid-copy');
        const body = midCopy
          ? Readable.from(
              interrupted(csv, midCopy.chunk ?? 1, () => this.#fire(state, midCopy)),
              {
                objectMode: false,
              },
            )
          : csv;
        return tx.copyFrom(table, body);
      },
    };
    try {
      const result = await work(observed);
      const beforeCommit = this.#take(state, 'before-commit');
      if (beforeCommit) await this.#fire(state, beforeCommit);
      return result;
    } finally {
      if (counted) this.active[counted] -= 1;
    }
  }

  #weightOf(table: string | undefined): TableWeight | undefined {
    return this.#catalog.tables.find((spec) => spec.name === table)?.weight;
  }

  /** Takes the armed fault when it matches this import and point (it fires once). */
  #take(state: ImportState, point: FaultPoint): ArmedFault | undefined {
    const fault = this.#armed;
    if (!fault || fault.point !== point || fault.table !== state.table || fault.hour !== state.hour) return undefined;
    this.#armed = undefined;
    return fault;
  }

  async #fire(state: ImportState, fault: ArmedFault): Promise<void> {
    this.fired.push(`${fault.table} ${fault.hour} ${fault.point}`);
    if (fault.action === 'kill') {
      // The two-argument form waits (up to 5 s) until the backend is gone.
      await this.#admin.query('select pg_terminate_backend($1, 5000)', [state.pid]);
    } else fault.action.abort();
  }

  /**
   * Runs the merge statement while an admin transaction holds a SHARE lock on the target, so the statement is
   * certainly executing (waiting on the lock) when its backend is killed; then releases the lock.
   */
  async #runHeldThenKilled(state: ImportState, fault: ArmedFault, statement: () => Promise<unknown>): Promise<never> {
    await this.#admin.query('begin');
    await this.#admin.query(`lock table "${state.table}" in share mode`);
    const pending = statement().then(
      () => undefined,
      (error: unknown) => error,
    );
    try {
      for (let i = 0; i < 500; i++) {
        const { rows } = await this.#admin.query(
          "select 1 from pg_stat_activity where pid = $1 and wait_event_type = 'Lock'",
          [state.pid],
        );
        if (rows.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await this.#fire(state, fault);
    } finally {
      await this.#admin.query('rollback');
    }
    const error = await pending;
    throw error ?? new Error('the merge statement survived its backend being killed');
  }
}

/** Passes the chunks through, running `fire` after the `at`-th one (or at the end, before COPY is told it ended). */
async function* interrupted(source: Readable, at: number, fire: () => Promise<void>): AsyncGenerator<Buffer> {
  let chunks = 0;
  for await (const chunk of source) {
    yield chunk as Buffer;
    chunks += 1;
    if (chunks === at) await fire();
  }
  if (chunks < at) await fire();
}
