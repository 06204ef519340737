import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField, csvLine, formatAthenaDouble, formatAthenaReal } from '../../local/athena/athena-csv.ts';
import { DOUBLE_TEXT_MACRO } from '../../local/athena/duckdb-athena.ts';

describe('Athena CSV fields', () => {
  it('quotes every non-null value, doubles quotes, leaves NULL empty and unquoted', () => {
    expect(csvLine([null, '', 'a"b', 'x,y\nz'])).toBe(',"","a""b","x,y\nz"\n');
    expect(csvField('☃')).toBe('"☃"');
  });
});

describe('doubles and reals as Athena (Java) prints them', () => {
  it.each([
    [0, '0.0'],
    [-0, '-0.0'],
    [2, '2.0'],
    [0.1, '0.1'],
    [100, '100.0'],
    [0.001, '0.001'],
    [0.00012, '1.2E-4'],
    [1234567.5, '1234567.5'],
    [1e7, '1.0E7'],
    [12345678.9, '1.23456789E7'],
    [-3.25e-7, '-3.25E-7'],
    [1.7976931348623157e308, '1.7976931348623157E308'],
    [5e-324, '4.9E-324'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ])('double %s → %s', (value, text) => {
    // Java prints the smallest subnormal as 4.9E-324 (shortest digits are 5E-324 since JDK 19): accept both.
    if (value === 5e-324) expect(['4.9E-324', '5.0E-324']).toContain(formatAthenaDouble(value));
    else expect(formatAthenaDouble(value)).toBe(text);
  });

  it.each([
    [Math.fround(0.1), '0.1'],
    [Math.fround(3.25), '3.25'],
    [Math.fround(16777217), '1.6777216E7'],
    [Math.fround(1e10), '1.0E10'],
    [Math.fround(123.456), '123.456'],
  ])('real %s → %s', (value, text) => {
    expect(formatAthenaReal(value)).toBe(text);
  });
});

describe('the DuckDB macro the local Athena formats doubles with', () => {
  let instance: DuckDBInstance;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
  });
  afterAll(() => instance.closeSync());

  it('agrees with formatAthenaDouble on edge values and 2,000 random doubles of every magnitude', async () => {
    const connection = await instance.connect();
    await connection.run(DOUBLE_TEXT_MACRO);
    let seed = 42;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const values = [
      0, 2, 0.1, 100, 0.001, 0.000999, 0.00012, 9999999.999, 1e7, 12345678.9, -3.25e-7, 1.5e300, -2.5e-300,
    ];
    for (let index = 0; index < 2000; index++) {
      const magnitude = 10 ** Math.floor(random() * 40 - 20);
      values.push((random() - 0.5) * magnitude);
    }
    const reader = await connection.runAndReadAll(
      `SELECT athena_double(x) FROM (SELECT unnest([${values.map((value) => `${value.toExponential()}::DOUBLE`).join(', ')}]) AS x)`,
    );
    const texts = reader.getRowsJS().map((row) => row[0]);
    expect(texts).toEqual(values.map(formatAthenaDouble));
    const real = await connection.runAndReadAll(
      `SELECT athena_double(CAST(0.1 AS FLOAT)), athena_double(CAST(1e10 AS FLOAT))`,
    );
    expect(real.getRowsJS()[0]).toEqual(['0.1', '1.0E10']);
    connection.closeSync();
  });
});
