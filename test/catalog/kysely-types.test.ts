import { describe, expect, expectTypeOf, it } from 'vitest';
import type { TargetDatabase, TargetRow } from '../../functions/shared/catalog/kysely-types.ts';
import { postgresType } from '../../functions/shared/catalog/kysely-types.ts';

const catalog = {
  tables: [
    {
      name: 'plays',
      source: { database: 'aggregations', table: 'plays' },
      partitionColumn: 'hour',
      columns: [
        { name: 'show_id', type: 'bigint' },
        { name: 'hour', type: 'timestamptz' },
        { name: 'spend', type: 'numeric', precision: 12, scale: 2 },
        { name: 'note', type: 'text', nullable: true },
        { name: 'doc', type: 'jsonb', nullable: true },
        { name: 'ok', type: 'boolean' },
      ],
      primaryKey: ['show_id', 'hour'],
      weight: 'heavy',
      mode: 'upsert',
      producedBy: 'hourly-aggregations',
    },
  ],
} as const;

describe('Kysely types from the catalog', () => {
  it('derives row types: nullable columns admit null, int8/numeric read as strings', () => {
    type Row = TargetRow<(typeof catalog.tables)[0]>;
    expectTypeOf<Row>().toEqualTypeOf<{
      show_id: string;
      hour: Date;
      spend: string;
      note: string | null;
      doc: unknown;
      ok: boolean;
    }>();
    expectTypeOf<keyof TargetDatabase<typeof catalog>>().toEqualTypeOf<'plays'>();
    const row: Row = { show_id: '1', hour: new Date(0), spend: '1.50', note: null, doc: null, ok: true };
    expect(Object.keys(row)).toHaveLength(6);
  });

  it('maps catalog types to PostgreSQL types', () => {
    expect(postgresType({ type: 'numeric', precision: 12, scale: 2 })).toBe('numeric(12, 2)');
    expect(postgresType({ type: 'numeric' })).toBe('numeric');
    expect(postgresType({ type: 'double' })).toBe('double precision');
    expect(postgresType({ type: 'timestamptz' })).toBe('timestamptz');
  });
});
