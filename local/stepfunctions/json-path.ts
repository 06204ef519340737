/**
 * The JSONPath subset Step Functions accepts: `$`, `.name`, `['name']`, `[n]`, `[*]`, `.*`, `..name`, `[a,b]`,
 * `[start:end:step]` and `[?(@.x op literal)]`. A path made only of names and indexes is *definite*: it selects one
 * value or nothing. Any other path selects a list (possibly empty).
 */
import { RuntimeError } from './errors.ts';

type FilterTest = { path: Segment[]; op?: string; value?: unknown };
type Segment =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'union'; keys: (string | number)[] }
  | { kind: 'slice'; start: number | undefined; end: number | undefined; step: number }
  | { kind: 'descent'; name: string | undefined }
  | { kind: 'filter'; tests: FilterTest[][] };

/** A parsed path. `root` is `$`, `$$` (context object) or a variable name. */
export interface ParsedPath {
  readonly text: string;
  readonly root: '$' | '$$' | string;
  readonly segments: readonly Segment[];
  readonly definite: boolean;
}

const cache = new Map<string, ParsedPath>();

export const NOT_FOUND: unique symbol = Symbol('not-found');

function parseLiteral(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1);
  if (t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1);
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === 'null') return null;
  const n = Number(t);
  if (t !== '' && !Number.isNaN(n)) return n;
  throw new Error(`bad literal ${text}`);
}

function parseFilter(body: string): FilterTest[][] {
  // OR of ANDs of `@.path [op literal]`.
  return body.split('||').map((alt) =>
    alt.split('&&').map((term) => {
      const m = /^\s*@((?:\.[A-Za-z0-9_$-]+|\[[^\]]*\])*)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*$/.exec(term);
      if (!m) throw new Error(`unsupported filter ${term}`);
      const test: FilterTest = { path: parseSegments(`$${m[1] ?? ''}`, 1) };
      if (m[2]) {
        test.op = m[2];
        test.value = parseLiteral(m[3] ?? '');
      }
      return test;
    }),
  );
}

function parseSegments(text: string, startAt: number): Segment[] {
  const segments: Segment[] = [];
  let i = startAt;
  const nameAt = (from: number): [string, number] => {
    let j = from;
    while (j < text.length && text[j] !== '.' && text[j] !== '[') j++;
    return [text.slice(from, j), j];
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      if (text[i + 1] === '.') {
        const [name, next] = nameAt(i + 2);
        if (name === '' || name === '*') {
          segments.push({ kind: 'descent', name: undefined });
          i = name === '*' ? next : i + 2;
        } else {
          segments.push({ kind: 'descent', name });
          i = next;
        }
        continue;
      }
      const [name, next] = nameAt(i + 1);
      if (name === '') throw new Error('empty name');
      segments.push(name === '*' ? { kind: 'wildcard' } : { kind: 'field', name });
      i = next;
      continue;
    }
    if (c === '[') {
      let depth = 0;
      let j = i;
      let quote: string | undefined;
      for (; j < text.length; j++) {
        const d = text[j];
        if (quote) {
          if (d === '\\') j++;
          else if (d === quote) quote = undefined;
        } else if (d === "'" || d === '"') quote = d;
        else if (d === '[') depth++;
        else if (d === ']' && --depth === 0) break;
      }
      if (j >= text.length) throw new Error('unclosed [');
      const inner = text.slice(i + 1, j).trim();
      i = j + 1;
      if (inner === '*') segments.push({ kind: 'wildcard' });
      else if (inner.startsWith('?(') && inner.endsWith(')'))
        segments.push({ kind: 'filter', tests: parseFilter(inner.slice(2, -1)) });
      else if (/^-?\d*:-?\d*(:-?\d+)?$/.test(inner)) {
        const [a, b, s] = inner.split(':');
        segments.push({
          kind: 'slice',
          start: a ? Number(a) : undefined,
          end: b ? Number(b) : undefined,
          step: s ? Number(s) : 1,
        });
      } else {
        const keys = splitUnion(inner).map((k) => {
          const lit = parseLiteral(k);
          if (typeof lit !== 'string' && typeof lit !== 'number') throw new Error(`bad key ${k}`);
          return lit;
        });
        if (keys.length === 1) {
          const key = keys[0] as string | number;
          segments.push(typeof key === 'number' ? { kind: 'index', index: key } : { kind: 'field', name: key });
        } else segments.push({ kind: 'union', keys });
      }
      continue;
    }
    throw new Error(`unexpected '${c}'`);
  }
  return segments;
}

function splitUnion(inner: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ',') {
      parts.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(inner.slice(start));
  return parts;
}

/** Parses (and caches) a path; throws a plain Error on syntax errors. */
export function parsePath(text: string): ParsedPath {
  const cached = cache.get(text);
  if (cached) return cached;
  let root: string;
  let rest: number;
  if (text.startsWith('$$')) {
    root = '$$';
    rest = 2;
  } else if (text.startsWith('$') && /^\$[A-Za-z_]/.test(text)) {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text) as RegExpExecArray;
    root = m[1] as string;
    rest = m[0].length;
  } else if (text.startsWith('$')) {
    root = '$';
    rest = 1;
  } else {
    throw new Error(`path '${text}' must start with '$'`);
  }
  const segments = parseSegments(text, rest);
  const definite = segments.every((s) => s.kind === 'field' || s.kind === 'index');
  const parsed: ParsedPath = { text, root, segments, definite };
  cache.set(text, parsed);
  return parsed;
}

/** True when `text` parses as a path (used by validation). */
export function isValidPath(text: string): boolean {
  try {
    parsePath(text);
    return true;
  } catch {
    return false;
  }
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [];
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function applySegment(seg: Segment, current: unknown[], out: unknown[]): void {
  for (const value of current) {
    switch (seg.kind) {
      case 'field':
        if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, seg.name)) {
          out.push((value as Record<string, unknown>)[seg.name]);
        }
        break;
      case 'index':
        if (Array.isArray(value)) {
          const i = seg.index < 0 ? value.length + seg.index : seg.index;
          if (i >= 0 && i < value.length) out.push(value[i]);
        }
        break;
      case 'wildcard':
        out.push(...children(value));
        break;
      case 'union':
        for (const key of seg.keys)
          applySegment(
            typeof key === 'number' ? { kind: 'index', index: key } : { kind: 'field', name: key },
            [value],
            out,
          );
        break;
      case 'slice':
        if (Array.isArray(value)) {
          const len = value.length;
          const norm = (n: number) => (n < 0 ? Math.max(0, len + n) : Math.min(n, len));
          const start = seg.start === undefined ? 0 : norm(seg.start);
          const end = seg.end === undefined ? len : norm(seg.end);
          for (let i = start; i < end; i += Math.max(1, seg.step)) out.push(value[i]);
        }
        break;
      case 'descent': {
        const visit = (v: unknown) => {
          if (seg.name === undefined) {
            for (const c of children(v)) {
              out.push(c);
              visit(c);
            }
            return;
          }
          if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, seg.name)) {
            out.push((v as Record<string, unknown>)[seg.name]);
          }
          for (const c of children(v)) visit(c);
        };
        visit(value);
        break;
      }
      case 'filter':
        for (const item of children(value)) {
          const ok = seg.tests.some((all) =>
            all.every((t) => {
              const found = select(t.path, item);
              if (found.length === 0) return false;
              return t.op === undefined ? true : compare(found[0], t.op, t.value);
            }),
          );
          if (ok) out.push(item);
        }
        break;
    }
  }
}

function select(segments: readonly Segment[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const seg of segments) {
    const out: unknown[] = [];
    applySegment(seg, current, out);
    current = out;
    if (current.length === 0) break;
  }
  return current;
}

/** Roots a path can start from. */
export interface PathRoots {
  input: unknown;
  context?: unknown;
  variables?: Record<string, unknown>;
}

/**
 * Evaluates `path`: a definite path gives the value or `NOT_FOUND`; an indefinite one always gives an array.
 * An unknown variable root gives `NOT_FOUND`.
 */
export function evaluatePath(path: string | ParsedPath, roots: PathRoots): unknown {
  const parsed = typeof path === 'string' ? parsePath(path) : path;
  let root: unknown;
  if (parsed.root === '$') root = roots.input;
  else if (parsed.root === '$$') root = roots.context;
  else {
    const vars = roots.variables;
    if (!vars || !(parsed.root in vars)) return NOT_FOUND;
    root = vars[parsed.root];
  }
  if (parsed.definite) {
    let value = root;
    for (const seg of parsed.segments) {
      if (seg.kind === 'field') {
        if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, seg.name))
          return NOT_FOUND;
        value = (value as Record<string, unknown>)[seg.name];
      } else if (seg.kind === 'index') {
        if (!Array.isArray(value)) return NOT_FOUND;
        const i = seg.index < 0 ? value.length + seg.index : seg.index;
        if (i < 0 || i >= value.length) return NOT_FOUND;
        value = value[i];
      }
    }
    return value;
  }
  return select(parsed.segments, root);
}

function describeMissing(parsed: ParsedPath, roots: PathRoots): string {
  // Jayway's wording: the first property that is missing, in bracket notation.
  let value: unknown =
    parsed.root === '$' ? roots.input : parsed.root === '$$' ? roots.context : roots.variables?.[parsed.root];
  let shown = '$';
  for (const seg of parsed.segments) {
    if (seg.kind === 'field') {
      shown += `['${seg.name}']`;
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, seg.name)) {
        const last = seg === parsed.segments[parsed.segments.length - 1];
        return last ? `No results for path: ${shown}` : `Missing property in path ${shown}`;
      }
      value = (value as Record<string, unknown>)[seg.name];
    } else if (seg.kind === 'index') {
      shown += `[${seg.index}]`;
      if (!Array.isArray(value)) return `Missing property in path ${shown}`;
      value = value[seg.index];
    }
  }
  return `No results for path: ${shown}`;
}

/** Evaluates a path that must select something (InputPath, OutputPath, ItemsPath); fails with AWS's message. */
export function requirePath(path: string, roots: PathRoots): unknown {
  const value = evaluatePath(path, roots);
  if (value === NOT_FOUND) {
    throw new RuntimeError(`Invalid path '${path}' : ${describeMissing(parsePath(path), roots)}`);
  }
  return value;
}

/** Message for a missing path in InputPath/OutputPath, exposed for ResultPath errors. */
export function missingPathMessage(path: string, roots: PathRoots): string {
  return describeMissing(parsePath(path), roots);
}

/**
 * Writes `value` into a copy of `target` at a definite `$...` path (ResultPath), creating objects on the way.
 * `$` replaces the whole document. Only the containers on the path are copied.
 */
export function setAtPath(target: unknown, path: string, value: unknown): unknown {
  const parsed = parsePath(path);
  if (parsed.root !== '$' || !parsed.definite) throw new RuntimeError(`Invalid ResultPath '${path}'`);
  if (parsed.segments.length === 0) return value;
  const write = (node: unknown, i: number): unknown => {
    const seg = parsed.segments[i] as Segment;
    const last = i === parsed.segments.length - 1;
    if (seg.kind === 'field') {
      if (node !== null && typeof node === 'object' && Array.isArray(node)) {
        throw new RuntimeError(`Invalid path '${path}': cannot set property '${seg.name}' on an array`);
      }
      const obj = node !== null && typeof node === 'object' ? { ...(node as Record<string, unknown>) } : {};
      if (node !== undefined && node !== null && typeof node !== 'object') {
        throw new RuntimeError(`Invalid path '${path}': cannot set property '${seg.name}' on ${JSON.stringify(node)}`);
      }
      obj[seg.name] = last ? value : write(obj[seg.name], i + 1);
      return obj;
    }
    const index = (seg as { index: number }).index;
    if (!Array.isArray(node)) throw new RuntimeError(`Invalid path '${path}': not an array at index ${index}`);
    const arr = [...node];
    arr[index] = last ? value : write(arr[index], i + 1);
    return arr;
  };
  return write(target, 0);
}
