import { compileCidr } from './cidr.ts';
import type { AnythingBut, CompiledPattern, FieldCondition, Matcher, NumericBound } from './compiled-pattern.ts';
import { InvalidEventPatternError } from './errors.ts';
import { parseJsonText } from './json-text.ts';
import { compileWildcard } from './wildcard.ts';

/**
 * Validates an event pattern the way PutRule / TestEventPattern do and compiles it for matching. Throws
 * {@link InvalidEventPatternError} with AWS's reason wording where the recorded corpus shows it.
 *
 * @param pattern - the pattern as JSON text or as an already parsed value
 */
export function compileEventPattern(pattern: unknown): CompiledPattern {
  let value = pattern;
  if (typeof pattern === 'string') {
    const parsed = parseJsonText(pattern);
    if (!parsed.ok) throw new InvalidEventPatternError(parsed.reason);
    value = parsed.value;
  }
  if (!isPlainObject(value)) throw new InvalidEventPatternError('Filter is not an object');
  return compileObject(value, '');
}

function compileObject(object: Record<string, unknown>, prefix: string): CompiledPattern {
  const fields: FieldCondition[] = [];
  const orGroups: CompiledPattern[][] = [];
  const nested: CompiledPattern[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (key === '$or') {
      orGroups.push(compileOr(value, prefix));
      continue;
    }
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed');
      fields.push({ path, matchers: value.map((element) => compileMatcher(element)) });
    } else if (isPlainObject(value)) {
      nested.push(compileObject(value, path));
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`);
    }
  }
  for (const child of nested) {
    fields.push(...child.fields);
    orGroups.push(...child.orGroups.map((group) => [...group]));
  }
  return { fields, orGroups };
}

function compileOr(value: unknown, prefix: string): CompiledPattern[] {
  if (!Array.isArray(value) || value.length < 2) {
    throw new InvalidEventPatternError('Value of $or must be an array of at least two objects');
  }
  return value.map((alternative) => {
    if (!isPlainObject(alternative)) throw new InvalidEventPatternError('Value of $or must be an array of objects');
    return compileObject(alternative, prefix);
  });
}

function compileMatcher(element: unknown): Matcher {
  if (element === null || typeof element === 'string' || typeof element === 'number' || typeof element === 'boolean') {
    return { kind: 'exact', value: element };
  }
  if (Array.isArray(element)) {
    throw new InvalidEventPatternError('Match value must be String, number, true, false, or null');
  }
  const entries = Object.entries(element as Record<string, unknown>);
  if (entries.length !== 1) {
    throw new InvalidEventPatternError('Match expression must contain exactly one match type');
  }
  const [operator, operand] = entries[0] as [string, unknown];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return compilePrefixSuffix(operator, operand);
    case 'equals-ignore-case':
      if (typeof operand !== 'string') {
        throw new InvalidEventPatternError('equals-ignore-case match pattern must be a string');
      }
      return { kind: 'equals-ignore-case', value: operand };
    case 'wildcard':
      if (typeof operand !== 'string') throw new InvalidEventPatternError('wildcard match pattern must be a string');
      return { kind: 'wildcard', pattern: compileWildcard(operand) };
    case 'numeric':
      return { kind: 'numeric', bounds: compileNumeric(operand) };
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw new InvalidEventPatternError('exists match pattern must be either true or false.');
      }
      return { kind: 'exists', exists: operand };
    case 'cidr':
      // AWS reports a non-string CIDR with the prefix wording (it parses CIDRs as a prefix-like match).
      if (typeof operand !== 'string') throw new InvalidEventPatternError('prefix match pattern must be a string');
      return { kind: 'cidr', range: compileCidr(operand) };
    case 'anything-but':
      return { kind: 'anything-but', inner: compileAnythingBut(operand) };
    default:
      throw new InvalidEventPatternError(`Unrecognized match type ${operator}`);
  }
}

function compilePrefixSuffix(operator: 'prefix' | 'suffix', operand: unknown): Matcher {
  if (typeof operand === 'string') return { kind: operator, value: operand, ignoreCase: false };
  if (isPlainObject(operand)) {
    const entries = Object.entries(operand);
    const [inner, text] = entries[0] ?? [];
    if (entries.length === 1 && inner === 'equals-ignore-case') {
      if (typeof text !== 'string') {
        throw new InvalidEventPatternError('equals-ignore-case match pattern must be a string');
      }
      return { kind: operator, value: text, ignoreCase: true };
    }
  }
  throw new InvalidEventPatternError(`${operator} match pattern must be a string`);
}

const LOWER: ReadonlySet<string> = new Set(['>', '>=']);
const UPPER: ReadonlySet<string> = new Set(['<', '<=']);

function compileNumeric(operand: unknown): NumericBound[] {
  if (!Array.isArray(operand)) throw new InvalidEventPatternError('Value of numeric must be an array.');
  if (operand.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed');
  const bounds: NumericBound[] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const operator = operand[i];
    if (typeof operator !== 'string' || ![...LOWER, ...UPPER, '='].includes(operator)) {
      throw new InvalidEventPatternError(`Unrecognized numeric range operator: ${String(operator)}`);
    }
    const hasLower = bounds.some((b) => LOWER.has(b.operator));
    const hasUpper = bounds.some((b) => UPPER.has(b.operator));
    if (
      bounds.some((b) => b.operator === '=') ||
      (operator === '=' && bounds.length > 0) ||
      (LOWER.has(operator) && hasLower) ||
      (UPPER.has(operator) && hasUpper)
    ) {
      throw new InvalidEventPatternError(`Bad numeric range operator: ${operator}`);
    }
    const value = operand[i + 1];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidEventPatternError(`Value of ${operator} must be numeric`);
    }
    bounds.push({ operator: operator as NumericBound['operator'], value });
  }
  const lower = bounds.find((b) => LOWER.has(b.operator));
  const upper = bounds.find((b) => UPPER.has(b.operator));
  if (lower && upper && lower.value >= upper.value) {
    throw new InvalidEventPatternError('Bottom must be less than top');
  }
  return bounds;
}

function compileAnythingBut(operand: unknown): AnythingBut {
  if (typeof operand === 'string' || typeof operand === 'number') return { kind: 'values', values: [operand] };
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw new InvalidEventPatternError('Empty arrays are not allowed');
    for (const value of operand) {
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new InvalidEventPatternError('Inside anything but list, start|null|boolean is not supported.');
      }
    }
    return { kind: 'values', values: operand as (string | number)[] };
  }
  if (isPlainObject(operand)) {
    const entries = Object.entries(operand);
    const [inner, value] = entries[0] ?? [];
    if (entries.length === 1) {
      switch (inner) {
        case 'prefix':
        case 'suffix': {
          if (isPlainObject(value)) break;
          const values = stringOrStringList(value, 'prefix/suffix match pattern must be a string');
          if (values.some((v) => v === '')) throw new InvalidEventPatternError('Null prefix/suffix not allowed');
          return { kind: inner, values };
        }
        case 'equals-ignore-case':
          return {
            kind: 'equals-ignore-case',
            values: stringOrStringList(
              value,
              'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
            ),
          };
        case 'wildcard':
          return {
            kind: 'wildcard',
            patterns: stringOrStringList(value, 'wildcard match pattern must be a string').map(compileWildcard),
          };
      }
    }
  }
  throw new InvalidEventPatternError('Value of anything-but must be an array or single string/number value.');
}

function stringOrStringList(value: unknown, message: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  throw new InvalidEventPatternError(message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
