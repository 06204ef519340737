import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for tests: the real server, never a mock. `TEST_DATABASE_URL` names it (CI sets it); without it the
 * local default is used. An unreachable server fails the suite: nothing here skips.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** Connection URL of a fresh, empty database of its own. */
  readonly url: string;
  readonly name: string;
  /** Drops the database (terminating leftover sessions). */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string, adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at ${adminUrl} is unreachable (set TEST_DATABASE_URL): ${(error as Error).message}`);
  }
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database for one suite, so suites running in parallel never see each other's tables. */
export async function createTestDatabase(prefix = 'ai_test', adminUrl = TEST_DATABASE_URL): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE template0`, adminUrl);
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, adminUrl);
    },
  };
}
