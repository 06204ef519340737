/**
 * JSONPath payload templates (Parameters, ResultSelector, ItemSelector, JSONPath Assign): keys ending in `.$` take
 * the value of a path or an intrinsic function; other values are copied. Templates without `.$` keys are returned
 * as they are.
 */
import { RuntimeError } from './errors.ts';
import { evaluateIntrinsic, isIntrinsic } from './intrinsic-functions.ts';
import { evaluatePath, NOT_FOUND, type PathRoots } from './json-path.ts';

const dynamicCache = new WeakMap<object, boolean>();

function isDynamic(template: unknown): boolean {
  if (template === null || typeof template !== 'object') return false;
  const cached = dynamicCache.get(template);
  if (cached !== undefined) return cached;
  const result = Array.isArray(template)
    ? template.some(isDynamic)
    : Object.entries(template).some(([k, v]) => k.endsWith('.$') || isDynamic(v));
  dynamicCache.set(template, result);
  return result;
}

/** Value of one `.$` field: an intrinsic call or a path (which must resolve). */
export function evaluateDynamicValue(expression: string, field: string, roots: PathRoots): unknown {
  if (isIntrinsic(expression)) return evaluateIntrinsic(expression, roots);
  let value: unknown;
  try {
    value = evaluatePath(expression, roots);
  } catch {
    throw new RuntimeError(`The JSONPath '${expression}' specified for the field '${field}' is not a valid JSONPath`);
  }
  if (value === NOT_FOUND) {
    throw new RuntimeError(
      `The JSONPath '${expression}' specified for the field '${field}' could not be found in the input '${JSON.stringify(roots.input)}'`,
    );
  }
  return value;
}

/** Applies a payload template to the given roots. */
export function applyPayloadTemplate(template: unknown, roots: PathRoots): unknown {
  if (!isDynamic(template)) return template;
  if (Array.isArray(template)) return template.map((t) => applyPayloadTemplate(t, roots));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template as Record<string, unknown>)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      out[key.slice(0, -2)] = evaluateDynamicValue(value, key, roots);
    } else {
      out[key] = applyPayloadTemplate(value, roots);
    }
  }
  return out;
}
