/**
 * The `States.*` intrinsic functions of JSONPath mode, e.g. `States.Format('{} items', $.count)`. Parsed once per
 * text and cached; arguments are literals, paths (`$.x`, `$$.x`, `$var.x`) or nested calls.
 */
import { createHash, randomUUID } from 'node:crypto';
import { IntrinsicFailureError, RuntimeError } from './errors.ts';
import { evaluatePath, NOT_FOUND, type PathRoots } from './json-path.ts';

type Arg =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; path: string }
  | { kind: 'call'; name: string; args: Arg[] };

const cache = new Map<string, Arg>();

/** True when a `.$` value is an intrinsic call rather than a path. */
export function isIntrinsic(text: string): boolean {
  return text.startsWith('States.');
}

function parse(text: string): Arg {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const parseArg = (): Arg => {
    ws();
    const c = text[i];
    if (c === "'") {
      let out = '';
      i++;
      while (i < text.length && text[i] !== "'") {
        if (text[i] === '\\' && i + 1 < text.length) {
          out += text[i + 1];
          i += 2;
        } else out += text[i++];
      }
      if (text[i] !== "'") throw new Error('unterminated string');
      i++;
      return { kind: 'literal', value: out };
    }
    if (text.startsWith('States.', i)) return parseCall();
    if (c === '$') {
      const start = i;
      let depth = 0;
      let quote = false;
      while (i < text.length) {
        const d = text[i];
        if (quote) {
          if (d === "'") quote = false;
        } else if (d === "'") quote = true;
        else if (d === '[' || d === '(') depth++;
        else if (d === ']' || d === ')') {
          if (depth === 0) break;
          depth--;
        } else if ((d === ',' || /\s/.test(d as string)) && depth === 0) break;
        i++;
      }
      return { kind: 'path', path: text.slice(start, i) };
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) throw new Error(`unexpected '${text.slice(i, i + 10)}'`);
    i += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) };
  };
  const parseCall = (): Arg => {
    const m = /^States\.[A-Za-z0-9]+/.exec(text.slice(i));
    if (!m) throw new Error('expected States.<Name>');
    i += m[0].length;
    ws();
    if (text[i] !== '(') throw new Error(`expected '(' after ${m[0]}`);
    i++;
    const args: Arg[] = [];
    ws();
    if (text[i] === ')') i++;
    else {
      for (;;) {
        args.push(parseArg());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ')') {
          i++;
          break;
        }
        throw new Error(`expected ',' or ')' at ${i}`);
      }
    }
    return { kind: 'call', name: m[0], args };
  };
  const call = parseCall();
  ws();
  if (i !== text.length) throw new Error(`unexpected text after call: '${text.slice(i)}'`);
  return call;
}

/** Parses (cached); throws a plain Error describing the syntax problem. */
export function parseIntrinsic(text: string): void {
  if (!cache.has(text)) cache.set(text, parse(text));
}

/** Java's `toString` of a parsed JSON value, as `States.Format` prints objects and arrays. */
function javaString(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function javaRound(n: number): number {
  return Math.floor(n + 0.5);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const old = out[k];
    out[k] =
      old && v && typeof old === 'object' && typeof v === 'object' && !Array.isArray(old) && !Array.isArray(v)
        ? deepMerge(old as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Hash algorithm names of `States.Hash` and `$hash` → Node's names. */
export const HASHES: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

function fail(name: string, message: string): never {
  throw new IntrinsicFailureError(`Invalid arguments in ${name}: ${message}`);
}

function num(name: string, v: unknown): number {
  if (typeof v !== 'number') fail(name, `expected a number but got ${JSON.stringify(v)}`);
  return v;
}

function int(name: string, v: unknown): number {
  const n = num(name, v);
  if (!Number.isInteger(n)) fail(name, `expected an integer but got ${n}`);
  return n;
}

function str(name: string, v: unknown): string {
  if (typeof v !== 'string') fail(name, `expected a string but got ${JSON.stringify(v)}`);
  return v;
}

function arr(name: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) fail(name, `expected an array but got ${JSON.stringify(v)}`);
  return v;
}

const FUNCTIONS: Record<string, (args: unknown[], name: string) => unknown> = {
  'States.Format': (args, name) => {
    const template = str(name, args[0]);
    let k = 1;
    let out = '';
    for (let i = 0; i < template.length; i++) {
      if (template[i] === '{' && template[i + 1] === '}') {
        if (k >= args.length) fail(name, 'more placeholders than arguments');
        out += javaString(args[k++]);
        i++;
      } else out += template[i];
    }
    if (k !== args.length) fail(name, 'more arguments than placeholders');
    return out;
  },
  'States.StringToJson': (args, name) => {
    const s = str(name, args[0]);
    try {
      return s.trim() === '' ? null : JSON.parse(s);
    } catch {
      return fail(name, `'${s}' is not JSON`);
    }
  },
  'States.JsonToString': (args) => JSON.stringify(args[0]),
  'States.Array': (args) => [...args],
  'States.ArrayPartition': (args, name) => {
    const a = arr(name, args[0]);
    const size = int(name, args[1]);
    if (size <= 0) fail(name, 'chunk size must be positive');
    const out: unknown[][] = [];
    for (let i = 0; i < a.length; i += size) out.push(a.slice(i, i + size));
    return out;
  },
  'States.ArrayContains': (args, name) => arr(name, args[0]).some((x) => deepEqual(x, args[1])),
  'States.ArrayRange': (args, name) => {
    const start = int(name, args[0]);
    const end = int(name, args[1]);
    const step = int(name, args[2]);
    if (step === 0) fail(name, 'step must not be 0');
    const out: number[] = [];
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
      out.push(v);
      if (out.length > 1000) fail(name, 'the range has more than 1000 items');
    }
    return out;
  },
  'States.ArrayGetItem': (args, name) => {
    const a = arr(name, args[0]);
    const i = int(name, args[1]);
    if (i < 0 || i >= a.length) fail(name, `index ${i} out of bounds`);
    return a[i];
  },
  'States.ArrayLength': (args, name) => arr(name, args[0]).length,
  'States.ArrayUnique': (args, name) => {
    const out: unknown[] = [];
    for (const x of arr(name, args[0])) if (!out.some((y) => deepEqual(x, y))) out.push(x);
    return out;
  },
  'States.Base64Encode': (args, name) => Buffer.from(str(name, args[0]), 'utf8').toString('base64'),
  'States.Base64Decode': (args, name) => Buffer.from(str(name, args[0]), 'base64').toString('utf8'),
  'States.Hash': (args, name) => {
    const algorithm = HASHES[str(name, args[1])];
    if (!algorithm) fail(name, `unsupported hash algorithm ${JSON.stringify(args[1])}`);
    const data = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    return createHash(algorithm).update(data, 'utf8').digest('hex');
  },
  'States.JsonMerge': (args, name) => {
    const a = args[0];
    const b = args[1];
    if (!a || !b || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(a) || Array.isArray(b)) {
      fail(name, 'both arguments must be objects');
    }
    if (args[2] === true) return deepMerge(a as Record<string, unknown>, b as Record<string, unknown>);
    return { ...(a as object), ...(b as object) };
  },
  'States.MathRandom': (args, name) => {
    const start = Math.round(num(name, args[0]));
    const end = Math.round(num(name, args[1]));
    return start + Math.floor(Math.random() * (end - start));
  },
  'States.MathAdd': (args, name) => javaRound(num(name, args[0])) + javaRound(num(name, args[1])),
  'States.StringSplit': (args, name) => {
    const s = str(name, args[0]);
    const sep = str(name, args[1]);
    // Java StringTokenizer semantics: each character of the separator splits, empty tokens dropped.
    const out: string[] = [];
    let token = '';
    for (const ch of s) {
      if (sep.includes(ch)) {
        if (token !== '') out.push(token);
        token = '';
      } else token += ch;
    }
    if (token !== '') out.push(token);
    return out;
  },
  'States.UUID': () => randomUUID(),
};

function evaluateArg(arg: Arg, roots: PathRoots): unknown {
  switch (arg.kind) {
    case 'literal':
      return arg.value;
    case 'path': {
      const v = evaluatePath(arg.path, roots);
      if (v === NOT_FOUND) throw new RuntimeError(`The JSONPath '${arg.path}' could not be found in the input`);
      return v;
    }
    case 'call': {
      const fn = FUNCTIONS[arg.name];
      if (!fn) throw new IntrinsicFailureError(`Unknown intrinsic function ${arg.name}`);
      return fn(
        arg.args.map((a) => evaluateArg(a, roots)),
        arg.name,
      );
    }
  }
}

/** Evaluates an intrinsic call such as `States.Array($.a, 1)`. */
export function evaluateIntrinsic(text: string, roots: PathRoots): unknown {
  let parsed = cache.get(text);
  if (!parsed) {
    try {
      parsed = parse(text);
    } catch (error) {
      throw new IntrinsicFailureError(`Invalid intrinsic function '${text}': ${(error as Error).message}`);
    }
    cache.set(text, parsed);
  }
  return evaluateArg(parsed, roots);
}
