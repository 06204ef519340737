import { mkdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { AuroraDatabase, AuroraTransaction, CopyResult } from '../../functions/shared/aurora/aurora-database.ts';
import type { LedgerSchema } from '../../functions/shared/aurora/ledger-table.ts';
import { Mutex } from '../../functions/shared/aurora/mutex.ts';
import { createSessionKysely, type SqlSession } from '../../functions/shared/aurora/session-dialect.ts';
import { IDENTIFIER_PATTERN } from '../../functions/shared/catalog/catalog-types.ts';
import { csvChunks } from './csv-chunks.ts';

export interface PgliteDatabaseOptions {
  /** Directory holding the database; undefined = in memory. */
  readonly dataDir?: string | undefined;
  /** Bytes per COPY blob: bounds memory while loading (default 8 MiB). */
  readonly copyChunkBytes?: number;
}

type PgliteSession = Pick<Transaction, 'query'>;

function sessionOf(pglite: PgliteSession): SqlSession {
  return {
    query: async (text, parameters) => {
      const result = await pglite.query<Record<string, unknown>>(text, parameters as unknown[]);
      return { rows: result.rows, affectedRows: result.affectedRows };
    },
  };
}

/**
 * Shifts the line PostgreSQL reports for a COPY error in chunk N to the line in the whole file, so messages read
 * the same as with `pg`.
 */
function shiftCopyLine(error: unknown, linesBefore: number): unknown {
  if (linesBefore > 0 && error instanceof Error) {
    const fields = error as Error & { where?: unknown };
    if (typeof fields.where === 'string')
      fields.where = fields.where.replace(/line (\d+)/, (_, line: string) => `line ${Number(line) + linesBefore}`);
  }
  return error;
}

/**
 * PGlite: PostgreSQL in WebAssembly, in a directory or in memory. One connection, so a mutex serializes
 * transactions. COPY reads blobs; the CSV stream is cut into bounded chunks on record boundaries.
 */
export async function createPgliteDatabase(options: PgliteDatabaseOptions = {}): Promise<AuroraDatabase> {
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
  const chunkBytes = options.copyChunkBytes ?? 8 * 1024 * 1024;
  const mutex = new Mutex();
  const db = createSessionKysely<LedgerSchema>(sessionOf(pglite), mutex);

  const copyFrom = async (tx: Transaction, table: string, csv: Readable): Promise<CopyResult> => {
    if (!IDENTIFIER_PATTERN.test(table)) throw new Error(`refusing to COPY into '${table}': not a checked identifier`);
    let rows = 0;
    let linesBefore = 0;
    for await (const chunk of csvChunks(csv, chunkBytes)) {
      const header = linesBefore === 0;
      try {
        const result = await tx.query(
          `COPY ${table} FROM '/dev/blob' WITH (FORMAT csv, HEADER ${header ? 'true' : 'false'})`,
          [],
          { blob: new Blob(chunk.parts as Uint8Array<ArrayBuffer>[]) },
        );
        rows += result.affectedRows ?? 0;
      } catch (error) {
        throw shiftCopyLine(error, linesBefore);
      }
      linesBefore += chunk.lines;
    }
    return { rows };
  };

  return {
    kind: 'pglite',
    db,
    transaction<T>(work: (tx: AuroraTransaction) => Promise<T>): Promise<T> {
      return mutex.run(() =>
        pglite.transaction((tx) =>
          work({
            db: createSessionKysely<LedgerSchema>(sessionOf(tx)),
            copyFrom: (table, csv) => copyFrom(tx, table, csv),
          }),
        ),
      );
    },
    async close() {
      await mutex.run(() => pglite.close());
    },
  };
}
