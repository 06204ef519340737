import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError } from '../../local/eventbridge/errors.ts';
import { testEventPattern } from '../../local/eventbridge/event-pattern.ts';
import { compileEventPattern } from '../../local/eventbridge/pattern-validation.ts';

const envelope = (detail: unknown, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'e-1',
  'detail-type': 'T',
  source: 's',
  account: '111111111111',
  time: '2026-11-27T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
  ...extra,
});

const matches = (pattern: unknown, detail: unknown) => testEventPattern(pattern, envelope(detail));

describe('pattern matching beyond the corpus', () => {
  it('keeps fields of one array element together (array consistency)', () => {
    const detail = {
      items: [
        { kind: 'a', size: 1 },
        { kind: 'b', size: 2 },
      ],
    };
    expect(matches({ detail: { items: { kind: ['a'], size: [1] } } }, detail)).toBe(true);
    expect(matches({ detail: { items: { kind: ['a'], size: [2] } } }, detail)).toBe(false);
    // Different arrays are independent.
    const two = { xs: [{ v: 1 }], ys: [{ v: 2 }] };
    expect(matches({ detail: { xs: { v: [1] }, ys: { v: [2] } } }, two)).toBe(true);
  });

  it('applies every operator to each element of an event array', () => {
    expect(matches({ detail: { tags: [{ prefix: 'env:' }] } }, { tags: ['team:x', 'env:prod'] })).toBe(true);
    expect(matches({ detail: { n: [{ numeric: ['>', 10] }] } }, { n: [1, 2, 30] })).toBe(true);
    expect(matches({ detail: { n: [{ 'anything-but': [1, 2] }] } }, { n: [1, 2] })).toBe(false);
    expect(matches({ detail: { n: [{ 'anything-but': [1, 2] }] } }, { n: [1, 3] })).toBe(true);
    expect(matches({ detail: { n: [{ exists: false }] } }, { n: [] })).toBe(true);
  });

  it('supports $or at any level, nested', () => {
    const pattern = {
      source: ['s'],
      $or: [
        { detail: { state: ['FAILED'] } },
        { detail: { $or: [{ attempts: [{ numeric: ['>=', 3] }] }, { fatal: [true] }] } },
      ],
    };
    expect(matches(pattern, { state: 'FAILED' })).toBe(true);
    expect(matches(pattern, { state: 'OK', attempts: 3 })).toBe(true);
    expect(matches(pattern, { state: 'OK', fatal: true })).toBe(true);
    expect(matches(pattern, { state: 'OK', attempts: 2, fatal: false })).toBe(false);
    expect(() => compileEventPattern({ $or: [{ a: ['x'] }] })).toThrow(InvalidEventPatternError);
  });

  it('matches exact scalars by type (number vs string, boolean, null)', () => {
    expect(matches({ detail: { v: [300] } }, { v: 300.0 })).toBe(true);
    expect(matches({ detail: { v: [300] } }, { v: '300' })).toBe(false);
    expect(matches({ detail: { v: [true] } }, { v: 'true' })).toBe(false);
    expect(matches({ detail: { v: [null] } }, {})).toBe(false);
  });

  it('handles wildcard escapes and CIDR families', () => {
    expect(matches({ detail: { f: [{ wildcard: 'a\\*b*' }] } }, { f: 'a*bc' })).toBe(true);
    expect(matches({ detail: { f: [{ wildcard: 'a\\*b*' }] } }, { f: 'axbc' })).toBe(false);
    expect(matches({ detail: { f: [{ wildcard: '*.csv' }] } }, { f: 'x.csv' })).toBe(true);
    expect(matches({ detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, { ip: '10.200.1.1' })).toBe(true);
    expect(matches({ detail: { ip: [{ cidr: '10.0.0.0/8' }] } }, { ip: '::ffff:10.0.0.1' })).toBe(false);
    expect(matches({ detail: { ip: [{ cidr: '2001:db8::/32' }] } }, { ip: '2001:db8:ffff::1' })).toBe(true);
    expect(matches({ detail: { ip: [{ cidr: '2001:db8::/32' }] } }, { ip: '2001:db9::1' })).toBe(false);
  });

  it('validates numeric ranges and operators', () => {
    expect(matches({ detail: { n: [{ numeric: ['>=', 0, '<', 10] }] } }, { n: 0 })).toBe(true);
    expect(matches({ detail: { n: [{ numeric: ['>=', 0, '<', 10] }] } }, { n: 10 })).toBe(false);
    expect(() => compileEventPattern({ n: [{ numeric: ['>', 10, '<', 5] }] })).toThrow('Bottom must be less than top');
    expect(() => compileEventPattern({ n: [{ numeric: ['~', 1] }] })).toThrow('Unrecognized numeric range operator: ~');
  });
});
