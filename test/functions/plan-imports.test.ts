import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importExecutionName } from '../../functions/plan-imports/execution-name.ts';
import {
  PlanError,
  planFromProducer,
  planFromRequest,
  producedHour,
} from '../../functions/plan-imports/plan-imports.ts';
import { producedByMatches } from '../../functions/plan-imports/produced-by.ts';
import type { Catalog } from '../../functions/shared/catalog/catalog-types.ts';

const catalog = JSON.parse(
  readFileSync(new URL('../../functions/shared/catalog/demo-catalog.json', import.meta.url), 'utf8'),
) as Catalog;

describe('producedByMatches', () => {
  it('matches exact names and * wildcards, nothing else', () => {
    expect(producedByMatches('hourly-aggregations', 'hourly-aggregations')).toBe(true);
    expect(producedByMatches('hourly-aggregations', 'hourly-aggregations-2')).toBe(false);
    expect(producedByMatches('hourly-*', 'hourly-aggregations')).toBe(true);
    expect(producedByMatches('hourly-*', 'daily-aggregations')).toBe(false);
    expect(producedByMatches('a.b', 'axb')).toBe(false);
  });
});

describe('importExecutionName', () => {
  it('is deterministic and within Step Functions limits', () => {
    const name = importExecutionName('show_plays_hourly', '2026-11-27T10', 's-1ABC');
    expect(name).toBe('show_plays_hourly-2026-11-27T10-s-1ABC');
    const long = importExecutionName('t'.repeat(63), '2026-11-27T10', 's-1ABC');
    expect(long.length).toBe(80);
    expect(long).toBe(importExecutionName('t'.repeat(63), '2026-11-27T10', 's-1ABC'));
    expect(long).not.toBe(importExecutionName('t'.repeat(63), '2026-11-27T10', 's-1ABD'));
    expect(importExecutionName('t', '2026-11-27T10', 'a:b/c')).toBe('t-2026-11-27T10-a_b_c');
  });
});

describe('planFromProducer', () => {
  it('plans the produced tables of the previous hour, split by weight, named by the step id', () => {
    const plan = planFromProducer(
      catalog,
      { name: 'hourly-aggregations', sourceId: 's-1ABC', completedAt: new Date('2026-11-27T11:07:00Z') },
      'arn:orchestration:1',
    );
    expect(plan.hour).toBe('2026-11-27T10');
    expect(plan.heavy.map((item) => item.table)).toEqual(['show_plays_hourly', 'episode_completion_hourly']);
    expect(plan.light.map((item) => item.table)).toEqual([
      'host_earnings_hourly',
      'ad_impressions_hourly',
      'search_terms_hourly',
      'device_errors_hourly',
    ]);
    expect(plan.heavy[0]).toEqual({
      table: 'show_plays_hourly',
      hour: '2026-11-27T10',
      source: 's-1ABC',
      force: false,
      correlationId: 'arn:orchestration:1',
      executionName: 'show_plays_hourly-2026-11-27T10-s-1ABC',
    });
  });

  it('takes the hour from the step name when it carries one, and matches wildcards', () => {
    const producer = {
      name: 'hourly-backfill-2026-11-20T03',
      sourceId: 's-9',
      completedAt: new Date('2026-11-27T11:00:00Z'),
    };
    expect(producedHour(producer).text).toBe('2026-11-20T03');
    const plan = planFromProducer(catalog, producer, 'c');
    expect([...plan.heavy, ...plan.light].map((item) => item.table)).toEqual(['ad_impressions_hourly']);
  });

  it('plans nothing, with a note, for a step that produces no catalog table', () => {
    const plan = planFromProducer(catalog, { name: 'nightly-cleanup', sourceId: 's-2', completedAt: new Date() }, 'c');
    expect(plan.heavy).toEqual([]);
    expect(plan.light).toEqual([]);
    expect(plan.note).toBe("no catalog table is produced by 'nightly-cleanup'");
  });
});

describe('planFromRequest', () => {
  it('plans the named tables with run-unique names and the force flag', () => {
    const plan = planFromRequest(
      catalog,
      { hour: '2026-11-27T10', tables: ['search_terms_hourly'], force: true },
      'c-1',
    );
    expect(plan.heavy).toEqual([]);
    expect(plan.light).toHaveLength(1);
    expect(plan.light[0]).toMatchObject({ table: 'search_terms_hourly', source: null, force: true });
    expect(plan.light[0]!.executionName).toMatch(/^search_terms_hourly-2026-11-27T10-force-[0-9a-f]{10}$/);
    const again = planFromRequest(
      catalog,
      { hour: '2026-11-27T10', tables: ['search_terms_hourly'], force: true },
      'c-2',
    );
    expect(again.light[0]!.executionName).not.toBe(plan.light[0]!.executionName);
  });

  it('rejects unknown tables and bad hours, naming them', () => {
    expect(() => planFromRequest(catalog, { hour: '2026-11-27T10', tables: ['nope; drop table x'] }, 'c')).toThrow(
      PlanError,
    );
    expect(() => planFromRequest(catalog, { hour: '2026-11-27T10', tables: ['nope'] }, 'c')).toThrow(
      /unknown table\(s\) 'nope'/,
    );
    expect(() => planFromRequest(catalog, { hour: '2026-11-27 10:00' }, 'c')).toThrow(
      /'2026-11-27 10:00' is not an hour/,
    );
  });
});
