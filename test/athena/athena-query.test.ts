import { describe, expect, it } from 'vitest';
import {
  buildAthenaQuery,
  formatHourWithPattern,
  UnsafeQueryInputError,
} from '../../functions/shared/catalog/athena-query.ts';
import type { TableSpec } from '../../functions/shared/catalog/catalog-types.ts';
import { parseHour } from '../../functions/shared/hour.ts';
import { demoTable } from './fixtures.ts';

const HOUR = parseHour('2026-11-27T10');

describe('buildAthenaQuery', () => {
  it('selects the catalog columns in order, quoted, filtered on the partition timestamp', () => {
    expect(buildAthenaQuery(demoTable('show_plays_hourly'), HOUR)).toEqual({
      database: 'aggregations',
      queryString:
        'SELECT "show_id", "hour", "country", "plays", "unique_viewers", "watch_seconds", "note" FROM "aggregations"."show_plays_hourly" WHERE "hour" = TIMESTAMP \'2026-11-27 10:00:00\'',
    });
  });

  it('filters Hive-style string partitions with the hour in each format', () => {
    expect(buildAthenaQuery(demoTable('host_earnings_hourly'), parseHour('2026-01-05T03')).queryString).toBe(
      'SELECT "host_id", "hour", "currency", "gross_amount", "net_amount", "is_final" FROM "aggregations"."host_earnings_hourly" WHERE "dt" = \'2026-01-05\' AND "hr" = \'03\'',
    );
  });

  it('supports yyyy, MM, dd, HH, separators and quoted literals', () => {
    expect(formatHourWithPattern(HOUR, 'yyyy/MM/dd')).toBe('2026/11/27');
    expect(formatHourWithPattern(HOUR, "yyyy-MM-dd'T'HH")).toBe('2026-11-27T10');
    expect(formatHourWithPattern(HOUR, 'yyyyMMddHH')).toBe('2026112710');
    expect(formatHourWithPattern(HOUR, 'yyyy-MM-dd HH:00')).toBe('2026-11-27 10:00');
  });

  it.each([
    ['yyyy-MM-dd hh', "'h' at position 12"],
    ['yy-MM', "'y' at position 1"],
    ["yyyy'x'", 'quotes a literal'],
    ["yyyy'", 'unterminated quote'],
    ["HH' OR 1=1 --", 'unterminated quote'],
    ["HH' OR '1", 'quotes a literal'],
    ['', 'is empty'],
  ])('refuses the partition format %j', (pattern, message) => {
    const table: TableSpec = {
      ...demoTable('host_earnings_hourly'),
      source: { database: 'aggregations', table: 'host_earnings_hourly', partitions: { dt: pattern } },
    };
    expect(() => buildAthenaQuery(table, HOUR)).toThrow(UnsafeQueryInputError);
    expect(() => buildAthenaQuery(table, HOUR)).toThrow(message);
  });

  it.each([
    ['source.database', (t: TableSpec): TableSpec => ({ ...t, source: { ...t.source, database: 'x"; DROP' } })],
    ['source.table', (t: TableSpec): TableSpec => ({ ...t, source: { ...t.source, table: 'Plays' } })],
    ['partitionColumn', (t: TableSpec): TableSpec => ({ ...t, partitionColumn: 'hour"' })],
    ['column', (t: TableSpec): TableSpec => ({ ...t, columns: [...t.columns, { name: 'a b', type: 'text' }] })],
    [
      'source.partitions key',
      (t: TableSpec): TableSpec => ({ ...t, source: { ...t.source, partitions: { 'dt"': 'yyyy' } } }),
    ],
  ])('refuses an identifier that does not match IDENTIFIER_PATTERN (%s)', (what, change) => {
    const table = change(demoTable('show_plays_hourly'));
    expect(() => buildAthenaQuery(table, HOUR)).toThrow(UnsafeQueryInputError);
    expect(() => buildAthenaQuery(table, HOUR)).toThrow(`table 'show_plays_hourly' ${what}`);
  });
});
