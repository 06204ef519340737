import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { IDENTIFIER_PATTERN } from '../catalog/catalog-types.ts';
import type { AuroraDatabase, AuroraTransaction, CopyResult } from './aurora-database.ts';
import type { LedgerSchema } from './ledger-table.ts';
import { createSessionKysely } from './session-dialect.ts';

export interface PostgresDatabaseOptions {
  /** `postgres://user:pass@host:5432/db`; or give `config`. */
  readonly connectionString?: string;
  /** A full `pg` pool configuration (host, port, user, password, database, ssl, max...). */
  readonly config?: pg.PoolConfig;
}

/** The COPY statement every bulk load runs: Athena's CSV, NULL = unquoted empty field, "" = empty string. */
export function copyStatement(table: string): string {
  if (!IDENTIFIER_PATTERN.test(table)) throw new Error(`refusing to COPY into '${table}': not a checked identifier`);
  return `COPY ${table} FROM STDIN (FORMAT csv, HEADER true)`;
}

/** Aurora PostgreSQL (or any PostgreSQL) through a `pg` pool; bulk loads stream through `pg-copy-streams`. */
export function createPostgresDatabase(options: PostgresDatabaseOptions): AuroraDatabase {
  const pool = new pg.Pool({
    max: 4,
    ...options.config,
    ...(options.connectionString ? { connectionString: options.connectionString } : {}),
  });
  // An idle client losing its connection must not crash the process; the next checkout gets a fresh one.
  pool.on('error', () => {});
  const db = new Kysely<LedgerSchema>({ dialect: new PostgresDialect({ pool }) });

  return {
    kind: 'postgres',
    db,
    async transaction<T>(work: (tx: AuroraTransaction) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const tx: AuroraTransaction = {
          db: createSessionKysely<LedgerSchema>({
            query: async (text, parameters) => {
              const result = await client.query(text, parameters as unknown[]);
              return { rows: result.rows as Record<string, unknown>[], affectedRows: result.rowCount ?? undefined };
            },
          }),
          async copyFrom(table: string, csv: Readable): Promise<CopyResult> {
            const stream = client.query(copyFrom(copyStatement(table)));
            await pipeline(csv, stream);
            return { rows: stream.rowCount };
          },
        };
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken ??= rollbackError;
        });
        throw error;
      } finally {
        client.off('error', onError);
        // A client whose connection failed is destroyed rather than returned to the pool.
        client.release(broken ?? false);
      }
    },
    async close() {
      await db.destroy();
    },
  };
}
