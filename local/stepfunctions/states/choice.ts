/**
 * Choice: the first matching rule picks Next; else Default; else `States.NoChoiceMatched`.
 * JSONPath rules compare `Variable` with the operators of the ASL spec (And / Or / Not nest); JSONata rules use
 * `Condition`. A rule may carry its own Assign / Output (JSONata) or Assign (JSONPath).
 */
import {
  applyAssignments,
  applyOutputPath,
  effectiveInput,
  evaluateAssign,
  pathRoots,
  statesBinding,
} from '../data-flow.ts';
import { QueryEvaluationError, RuntimeError, StatesError } from '../errors.ts';
import { evaluatePath, NOT_FOUND, type PathRoots } from '../json-path.ts';
import { evaluateExpression, evaluateTemplate, isExpression } from '../jsonata-eval.ts';
import type { StateOutcome, StateRun } from '../state-run.ts';
import type { JsonObject } from '../types.ts';
import { parseIsoTimestamp } from './wait.ts';

type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
const OPERATOR =
  /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/;

function typeOk(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'String':
      return typeof value === 'string';
    case 'Numeric':
      return typeof value === 'number';
    case 'Boolean':
      return typeof value === 'boolean';
    case 'Timestamp':
      return parseIsoTimestamp(value) !== undefined;
  }
}

/** StringMatches: `*` is a wildcard, `\*` and `\\` escape. */
function wildcardMatch(text: string, pattern: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '*') re += '.*';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 's').test(text);
}

function compare(kind: Kind, op: string, a: unknown, b: unknown): boolean {
  if (!typeOk(kind, a) || !typeOk(kind, b)) return false;
  let x: string | number | boolean = a as string | number | boolean;
  let y: string | number | boolean = b as string | number | boolean;
  if (kind === 'Timestamp') {
    x = parseIsoTimestamp(a) as number;
    y = parseIsoTimestamp(b) as number;
  }
  switch (op) {
    case 'Equals':
      return x === y;
    case 'LessThan':
      return x < y;
    case 'GreaterThan':
      return x > y;
    case 'LessThanEquals':
      return x <= y;
    case 'GreaterThanEquals':
      return x >= y;
    case 'Matches':
      return wildcardMatch(x as string, y as string);
  }
  return false;
}

function readVariable(rule: JsonObject, roots: PathRoots): unknown {
  const path = rule.Variable;
  if (typeof path !== 'string') throw new RuntimeError('A choice rule has no Variable');
  return evaluatePath(path, roots);
}

function evaluateRule(rule: JsonObject, roots: PathRoots): boolean {
  if (Array.isArray(rule.And)) return (rule.And as JsonObject[]).every((r) => evaluateRule(r, roots));
  if (Array.isArray(rule.Or)) return (rule.Or as JsonObject[]).some((r) => evaluateRule(r, roots));
  if (rule.Not !== undefined) return !evaluateRule(rule.Not as JsonObject, roots);
  const value = readVariable(rule, roots);
  if ('IsPresent' in rule) return (value !== NOT_FOUND) === rule.IsPresent;
  if (value === NOT_FOUND) {
    throw new RuntimeError(
      `Invalid path '${String(rule.Variable)}': The choice state's condition path references an invalid value.`,
    );
  }
  if ('IsNull' in rule) return (value === null) === rule.IsNull;
  if ('IsNumeric' in rule) return (typeof value === 'number') === rule.IsNumeric;
  if ('IsString' in rule) return (typeof value === 'string') === rule.IsString;
  if ('IsBoolean' in rule) return (typeof value === 'boolean') === rule.IsBoolean;
  if ('IsTimestamp' in rule) return (parseIsoTimestamp(value) !== undefined) === rule.IsTimestamp;
  for (const [key, operand] of Object.entries(rule)) {
    const m = OPERATOR.exec(key);
    if (!m) continue;
    let other = operand;
    if (m[3]) {
      other = evaluatePath(String(operand), roots);
      if (other === NOT_FOUND)
        throw new RuntimeError(
          `Invalid path '${String(operand)}': The choice state's condition path references an invalid value.`,
        );
    }
    return compare(m[1] as Kind, m[2] as string, value, other);
  }
  throw new RuntimeError(`Unsupported choice rule: ${JSON.stringify(rule)}`);
}

export async function runChoice(run: StateRun): Promise<StateOutcome> {
  const choices = (run.state.Choices ?? []) as JsonObject[];
  if (run.jsonata) {
    const binding = statesBinding(run);
    for (const rule of choices) {
      const condition = rule.Condition;
      const ok = isExpression(condition)
        ? await evaluateExpression(condition, 'Condition', binding, run.frame.variables)
        : condition;
      if (typeof ok !== 'boolean') {
        throw new QueryEvaluationError(
          `The JSONata expression '${String(condition).slice(2, -2).trim()}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${ok === null ? 'null' : Array.isArray(ok) ? 'array' : typeof ok}' for value: ${JSON.stringify(ok)}`,
        );
      }
      if (ok) return finishJsonata(run, rule, String(rule.Next));
    }
    if (typeof run.state.Default === 'string') return finishJsonata(run, run.state as JsonObject, run.state.Default);
    throw new StatesError('States.NoChoiceMatched', `No Matches!`);
  }
  const input = effectiveInput(run);
  const roots = pathRoots(run, input);
  for (const rule of choices) {
    if (evaluateRule(rule, roots)) return finishJsonPath(run, rule, input, String(rule.Next));
  }
  if (typeof run.state.Default === 'string')
    return finishJsonPath(run, run.state as JsonObject, input, run.state.Default);
  throw new StatesError('States.NoChoiceMatched', `No Matches!`);
}

async function finishJsonata(run: StateRun, source: JsonObject, next: string): Promise<StateOutcome> {
  const binding = statesBinding(run);
  // The matched rule's Assign/Output, else the state's own.
  const assign = (source.Assign ?? (source === run.state ? undefined : run.state.Assign)) as
    | Record<string, unknown>
    | undefined;
  const outputTemplate = source.Output ?? (source === run.state ? undefined : run.state.Output);
  const assigned = await evaluateAssign(run, assign, undefined, () => binding);
  const output =
    outputTemplate === undefined
      ? run.input
      : await evaluateTemplate(outputTemplate, 'Output', binding, run.frame.variables);
  applyAssignments(run, assigned);
  return { output, next };
}

async function finishJsonPath(run: StateRun, source: JsonObject, input: unknown, next: string): Promise<StateOutcome> {
  const assign = (source.Assign ?? (source === run.state ? undefined : run.state.Assign)) as
    | Record<string, unknown>
    | undefined;
  const assigned = await evaluateAssign(run, assign, input, () => statesBinding(run));
  const output = applyOutputPath(run, input);
  applyAssignments(run, assigned);
  return { output, next };
}
