import { matchesCidr } from './cidr.ts';
import type { AnythingBut, CompiledPattern, FieldCondition, Matcher, Scalar } from './compiled-pattern.ts';
import { matchesWildcard } from './wildcard.ts';

/**
 * One leaf of a flattened event: its value plus, for every array it sits in, which element. Two leaves can satisfy
 * the same rule only if they agree on every array they share ("array consistency", as AWS's Event Ruler does it).
 */
interface Leaf {
  readonly value: Scalar;
  readonly trail: ReadonlyMap<number, number>;
}

/** An event flattened to dotted paths, so `{"a.b": 1}` and `{"a": {"b": 1}}` both give `a.b` (as AWS does). */
export type FlatEvent = ReadonlyMap<string, readonly Leaf[]>;

/** Flattens a parsed event: objects join keys with `.`, arrays contribute every element at the same path. */
export function flattenEvent(event: unknown): FlatEvent {
  const leaves = new Map<string, Leaf[]>();
  let nextArrayId = 0;
  const visit = (value: unknown, path: string, trail: ReadonlyMap<number, number>): void => {
    if (Array.isArray(value)) {
      const arrayId = nextArrayId++;
      value.forEach((element, index) => {
        visit(element, path, new Map(trail).set(arrayId, index));
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) visit(child, path === '' ? key : `${path}.${key}`, trail);
    } else if (path !== '') {
      const list = leaves.get(path) ?? [];
      list.push({ value: value as Scalar, trail });
      leaves.set(path, list);
    }
  };
  visit(event, '', new Map());
  return leaves;
}

/** Whether the (parsed or flattened) event matches the compiled pattern. */
export function matchesPattern(pattern: CompiledPattern, event: unknown): boolean {
  const flat = event instanceof Map ? (event as FlatEvent) : flattenEvent(event);
  for (const conjunction of expandOr(pattern)) {
    if (satisfies(conjunction, 0, flat, new Map())) return true;
  }
  return false;
}

/** Rewrites the pattern as alternatives of plain field lists (disjunctive normal form). */
function expandOr(pattern: CompiledPattern): FieldCondition[][] {
  let alternatives: FieldCondition[][] = [[...pattern.fields]];
  for (const group of pattern.orGroups) {
    const next: FieldCondition[][] = [];
    for (const partial of alternatives) {
      for (const option of group) {
        for (const expanded of expandOr(option)) next.push([...partial, ...expanded]);
      }
    }
    alternatives = next;
  }
  return alternatives;
}

/** Backtracking search for one leaf per condition with consistent array positions. */
function satisfies(
  conditions: readonly FieldCondition[],
  index: number,
  flat: FlatEvent,
  chosen: ReadonlyMap<number, number>,
): boolean {
  const condition = conditions[index];
  if (condition === undefined) return true;
  const leaves = flat.get(condition.path) ?? [];
  if (leaves.length === 0 && condition.matchers.some((m) => m.kind === 'exists' && !m.exists)) {
    if (satisfies(conditions, index + 1, flat, chosen)) return true;
  }
  for (const leaf of leaves) {
    if (!isConsistent(leaf.trail, chosen)) continue;
    if (!condition.matchers.some((matcher) => matchesLeaf(matcher, leaf.value))) continue;
    const merged = new Map(chosen);
    for (const [arrayId, position] of leaf.trail) merged.set(arrayId, position);
    if (satisfies(conditions, index + 1, flat, merged)) return true;
  }
  return false;
}

function isConsistent(trail: ReadonlyMap<number, number>, chosen: ReadonlyMap<number, number>): boolean {
  for (const [arrayId, position] of trail) {
    const other = chosen.get(arrayId);
    if (other !== undefined && other !== position) return false;
  }
  return true;
}

/** Whether one present leaf value satisfies one matcher (`exists: false` never holds for a present leaf). */
function matchesLeaf(matcher: Matcher, value: Scalar): boolean {
  switch (matcher.kind) {
    case 'exact':
      return value === matcher.value;
    case 'prefix':
    case 'suffix': {
      if (typeof value !== 'string') return false;
      const subject = matcher.ignoreCase ? value.toLowerCase() : value;
      const wanted = matcher.ignoreCase ? matcher.value.toLowerCase() : matcher.value;
      return matcher.kind === 'prefix' ? subject.startsWith(wanted) : subject.endsWith(wanted);
    }
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === matcher.value.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && matchesWildcard(matcher.pattern, value);
    case 'numeric':
      return typeof value === 'number' && matcher.bounds.every((bound) => compare(value, bound.operator, bound.value));
    case 'exists':
      return matcher.exists;
    case 'cidr':
      return typeof value === 'string' && matchesCidr(matcher.range, value);
    case 'anything-but':
      return !isExcluded(matcher.inner, value);
  }
}

function isExcluded(inner: AnythingBut, value: Scalar): boolean {
  switch (inner.kind) {
    case 'values':
      return inner.values.some((excluded) => excluded === value);
    case 'prefix':
      return typeof value === 'string' && inner.values.some((p) => value.startsWith(p));
    case 'suffix':
      return typeof value === 'string' && inner.values.some((s) => value.endsWith(s));
    case 'equals-ignore-case':
      return typeof value === 'string' && inner.values.some((v) => v.toLowerCase() === value.toLowerCase());
    case 'wildcard':
      return typeof value === 'string' && inner.patterns.some((p) => matchesWildcard(p, value));
  }
}

function compare(value: number, operator: string, bound: number): boolean {
  switch (operator) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    default:
      return value === bound;
  }
}
