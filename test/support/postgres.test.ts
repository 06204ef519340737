import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './postgres.ts';

describe('test databases', () => {
  it('fail loudly, never skip, when the server is unreachable', async () => {
    await expect(createTestDatabase('ai_test', 'postgres://postgres@127.0.0.1:1/test')).rejects.toThrow(
      /PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/test is unreachable/,
    );
  });

  it('give each suite a fresh, empty database of its own, dropped afterwards', async () => {
    const database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const tables = await client.query("select count(*)::int as n from pg_tables where schemaname = 'public'");
    expect(tables.rows[0]).toEqual({ n: 0 });
    await client.end();
    await database.drop();
    const admin = new pg.Client({ connectionString: database.url.replace(`/${database.name}`, '/postgres') });
    await admin.connect();
    const left = await admin.query('select count(*)::int as n from pg_database where datname = $1', [database.name]);
    await admin.end();
    expect(left.rows[0]).toEqual({ n: 0 });
  });
});
