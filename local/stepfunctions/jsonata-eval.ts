/**
 * JSONata mode: `{% expression %}` strings anywhere in Arguments / Output / Assign / other fields, evaluated with
 * `$states` ({input, result, errorOutput, context}) and the workflow variables bound. Compiled expressions are
 * cached by text; templates without any `{% %}` are returned as they are, without a copy.
 */
import { createHash, randomUUID } from 'node:crypto';
import jsonata from 'jsonata';
import { QueryEvaluationError } from './errors.ts';
import { HASHES } from './intrinsic-functions.ts';
import { isObject } from './types.ts';

type Expression = ReturnType<typeof jsonata>;
const compiled = new Map<string, Expression>();
const dynamicCache = new WeakMap<object, boolean>();

/** What `$states` holds while a field is evaluated. */
export interface StatesBinding {
  input: unknown;
  context: unknown;
  result?: unknown;
  errorOutput?: unknown;
}

/**
 * The execution clock behind a binding, so `$now()` and `$millis()` read the same time as `$states.context` (a
 * virtual clock in tests). Kept beside the binding, not in it: `$states` shows only what AWS shows.
 */
const CLOCK_OF_BINDING = new WeakMap<StatesBinding, () => number>();

export function bindClock(states: StatesBinding, now: () => number): StatesBinding {
  CLOCK_OF_BINDING.set(states, now);
  return states;
}

const FROM_MILLIS = jsonata('$fromMillis($m, $p, $t)');

/** `$now([picture [, timezone]])` and `$millis()` on the execution clock, as jsonata's own ones on the wall clock. */
function clockFunctions(now: () => number): Record<string, unknown> {
  const millis = now();
  return {
    millis: () => millis,
    now: (picture?: string, timezone?: string) =>
      picture === undefined && timezone === undefined
        ? new Date(millis).toISOString()
        : FROM_MILLIS.evaluate({}, { m: millis, p: picture, t: timezone }),
  };
}

/** True when `value` is a whole-string JSONata expression `{% ... %}`. */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('{%') && value.endsWith('%}') && value.length >= 4;
}

/** True when `template` contains any `{% %}` expression (cached per object). */
export function hasExpressions(template: unknown): boolean {
  if (isExpression(template)) return true;
  if (template === null || typeof template !== 'object') return false;
  const cached = dynamicCache.get(template);
  if (cached !== undefined) return cached;
  const values = Array.isArray(template) ? template : Object.values(template);
  const result = values.some(hasExpressions);
  dynamicCache.set(template, result);
  return result;
}

function partition(array: unknown, size: unknown): unknown[][] {
  if (!Array.isArray(array) || typeof size !== 'number' || size <= 0)
    throw new Error('Invalid arguments to $partition');
  const out: unknown[][] = [];
  for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
  return out;
}

function range(start: unknown, end: unknown, step: unknown): number[] {
  if (typeof start !== 'number' || typeof end !== 'number' || typeof step !== 'number' || step === 0) {
    throw new Error('Invalid arguments to $range');
  }
  const out: number[] & { sequence?: boolean } = [];
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) out.push(v);
  // A JSONata sequence: a single item collapses to the item, as AWS's $range does.
  out.sequence = true;
  return out;
}

/** Step Functions' additions to the JSONata library. */
const SFN_FUNCTIONS: Record<string, unknown> = {
  partition,
  range,
  hash: (data: unknown, algorithm: unknown) => {
    const alg = HASHES[String(algorithm)];
    if (!alg || typeof data !== 'string') throw new Error('Invalid arguments to $hash');
    return createHash(alg).update(data, 'utf8').digest('hex');
  },
  random: (seed?: unknown) => {
    if (seed === undefined) return Math.random();
    // A deterministic generator for the seeded form (mulberry32).
    let t = (Number(seed) >>> 0) + 0x6d2b79f5;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  },
  uuid: () => randomUUID(),
  parse: (text: unknown) => {
    if (typeof text !== 'string') throw new Error('Invalid arguments to $parse');
    return JSON.parse(text);
  },
};

function compile(text: string, field: string): Expression {
  let expression = compiled.get(text);
  if (!expression) {
    try {
      expression = jsonata(text);
    } catch (error) {
      throw new QueryEvaluationError(
        `The JSONata expression '${text}' specified for the field '${field}' could not be parsed. ${(error as Error).message}`,
      );
    }
    compiled.set(text, expression);
  }
  return expression;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Converts JSONata's result (sequences, frozen arrays) to plain JSON values. */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toPlain(v);
    return out;
  }
  return value;
}

/**
 * Evaluates one `{% %}` string. `field` names it in errors (`Output/result`). Undefined results fail, as AWS does.
 */
export async function evaluateExpression(
  text: string,
  field: string,
  states: StatesBinding,
  variables: Record<string, unknown>,
): Promise<unknown> {
  const body = text.slice(2, -2).trim();
  const expression = compile(body, field);
  // jsonata reads only own properties of the bindings: flatten the scope chain (inner names shadow outer ones).
  const bindings: Record<string, unknown> = {};
  for (const name in variables) bindings[name] = variables[name];
  bindings.states = states;
  for (const [name, fn] of Object.entries(SFN_FUNCTIONS)) bindings[name] = fn;
  const now = CLOCK_OF_BINDING.get(states);
  if (now) Object.assign(bindings, clockFunctions(now));
  let result: unknown;
  try {
    result = await expression.evaluate(states.input, bindings);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    throw new QueryEvaluationError(
      `The JSONata expression '${body}' specified for the field '${field}' threw an error during evaluation. ${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`,
    );
  }
  if (result === undefined) {
    throw new QueryEvaluationError(
      `The JSONata expression '${body}' specified for the field '${field}' returned nothing (undefined).`,
    );
  }
  if (
    typeof result === 'function' ||
    (isObject(result) && ('_jsonata_lambda' in result || '_jsonata_function' in result))
  ) {
    throw new QueryEvaluationError(
      `The JSONata expression '${body}' specified for the field '${field}' returned an unsupported result type.`,
    );
  }
  return toPlain(result);
}

/** Evaluates every `{% %}` inside a JSON template (Arguments, Output, Assign values...). */
export async function evaluateTemplate(
  template: unknown,
  field: string,
  states: StatesBinding,
  variables: Record<string, unknown>,
): Promise<unknown> {
  if (!hasExpressions(template)) return template;
  if (isExpression(template)) return evaluateExpression(template, field, states, variables);
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (let i = 0; i < template.length; i++)
      out.push(await evaluateTemplate(template[i], `${field}[${i}]`, states, variables));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template as Record<string, unknown>)) {
    out[key] = await evaluateTemplate(value, `${field}/${key}`, states, variables);
  }
  return out;
}

/** Checks a JSONata result against the type a field needs, with AWS's message. */
export function expectType(value: unknown, expected: string, text: string, field: string): void {
  const actual = typeName(value);
  if (actual !== expected) {
    throw new QueryEvaluationError(
      `The JSONata expression '${text.slice(2, -2).trim()}' specified for the field '${field}' returned an unexpected result type. Expected '${expected}', but was '${actual}' for value: ${JSON.stringify(value)}`,
    );
  }
}
