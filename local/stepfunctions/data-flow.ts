/**
 * The input/output processing shared by all states.
 * JSONPath: InputPath → Parameters → (work) → ResultSelector → ResultPath → OutputPath, plus Assign.
 * JSONata: Arguments → (work) → Output, plus Assign; `$states.input` is the raw input, `$states.result` the result.
 * Assign and Output are evaluated against the variables as they were before the state, then assigned.
 */
import { QueryEvaluationError, RuntimeError } from './errors.ts';
import { evaluatePath, missingPathMessage, NOT_FOUND, type PathRoots, requirePath, setAtPath } from './json-path.ts';
import { bindClock, evaluateTemplate, hasExpressions, type StatesBinding } from './jsonata-eval.ts';
import { applyPayloadTemplate, evaluateDynamicValue } from './payload-template.ts';
import type { StateRun } from './state-run.ts';

/** Roots for JSONPath evaluation against `input`. */
export function pathRoots(run: StateRun, input: unknown): PathRoots {
  // The context object is built only if a path reads `$$`.
  return {
    input,
    get context() {
      return run.context();
    },
    variables: run.frame.variables,
  };
}

/** `$states` for JSONata evaluation. */
export function statesBinding(run: StateRun, extra?: { result?: unknown; errorOutput?: unknown }): StatesBinding {
  const binding: StatesBinding = {
    input: run.input,
    get context() {
      return run.context();
    },
  };
  if (extra && 'result' in extra) binding.result = extra.result;
  if (extra && 'errorOutput' in extra) binding.errorOutput = extra.errorOutput;
  return bindClock(binding, () => run.exec.clock.now());
}

/** InputPath (JSONPath only; `null` gives `{}`). */
export function effectiveInput(run: StateRun): unknown {
  if (run.jsonata) return run.input;
  const path = run.state.InputPath;
  if (path === undefined || path === '$') return run.input;
  if (path === null) return {};
  return requirePath(path, pathRoots(run, run.input));
}

/** Parameters (JSONPath) or Arguments (JSONata); without them the effective input goes through. */
export async function stateArguments(
  run: StateRun,
  input: unknown,
  field: 'Parameters' | 'ItemSelector' = 'Parameters',
): Promise<unknown> {
  if (run.jsonata) {
    const args = run.state.Arguments;
    if (args === undefined) return input;
    return evaluateTemplate(args, 'Arguments', statesBinding(run), run.frame.variables);
  }
  const template = run.state[field];
  if (template === undefined) return input;
  return applyPayloadTemplate(template, pathRoots(run, input));
}

/** Evaluates an Assign block without applying it. */
export async function evaluateAssign(
  run: StateRun,
  assign: Readonly<Record<string, unknown>> | undefined,
  jsonPathValue: unknown,
  binding: () => StatesBinding,
): Promise<Record<string, unknown> | undefined> {
  if (assign === undefined) return undefined;
  if (run.jsonata) {
    if (!hasExpressions(assign)) return assign as Record<string, unknown>;
    return (await evaluateTemplate(assign, 'Assign', binding(), run.frame.variables)) as Record<string, unknown>;
  }
  const values = applyPayloadTemplate(assign, pathRoots(run, jsonPathValue)) as Record<string, unknown>;
  return values;
}

/** Writes evaluated Assign values into the current scope. */
export function applyAssignments(run: StateRun, values: Record<string, unknown> | undefined): void {
  if (!values) return;
  for (const [name, value] of Object.entries(values)) run.frame.variables[name] = value;
}

/** ResultPath: where the result goes in the raw input (`null` discards it). */
export function applyResultPath(run: StateRun, resultPath: string | null | undefined, result: unknown): unknown {
  if (resultPath === undefined || resultPath === '$') return result;
  if (resultPath === null) return run.input;
  try {
    return setAtPath(run.input, resultPath, result);
  } catch (error) {
    if (error instanceof RuntimeError) {
      throw new RuntimeError(
        `Invalid path '${resultPath}' : ${missingPathMessage(resultPath, pathRoots(run, run.input))}`,
      );
    }
    throw error;
  }
}

/** OutputPath (JSONPath; `null` gives `{}`). */
export function applyOutputPath(run: StateRun, value: unknown): unknown {
  const path = run.state.OutputPath;
  if (path === undefined || path === '$') return value;
  if (path === null) return {};
  return requirePath(path, pathRoots(run, value));
}

/**
 * Finishes a state that produced `result`: ResultSelector, ResultPath, OutputPath and Assign in JSONPath mode;
 * Output and Assign in JSONata mode. `resultFields` says whether the state type has ResultSelector/ResultPath.
 */
export async function finishState(run: StateRun, result: unknown, resultFields = true): Promise<unknown> {
  if (run.jsonata) {
    const needsBinding = hasExpressions(run.state.Output) || hasExpressions(run.state.Assign);
    const binding = needsBinding ? statesBinding(run, { result }) : undefined;
    const assigned = await evaluateAssign(run, run.state.Assign, undefined, () => binding as StatesBinding);
    let output = result;
    if (run.state.Output !== undefined) {
      output = await evaluateTemplate(
        run.state.Output,
        'Output',
        binding ?? statesBinding(run, { result }),
        run.frame.variables,
      );
    }
    applyAssignments(run, assigned);
    return output;
  }
  let selected = result;
  if (resultFields && run.state.ResultSelector !== undefined) {
    selected = applyPayloadTemplate(run.state.ResultSelector, pathRoots(run, result));
  }
  const assigned = await evaluateAssign(run, run.state.Assign, selected, () => statesBinding(run));
  const combined = resultFields ? applyResultPath(run, run.state.ResultPath, selected) : selected;
  const output = applyOutputPath(run, combined);
  applyAssignments(run, assigned);
  return output;
}

/** Evaluates a field that may be a JSONata expression (JSONata) or a literal, e.g. `TimeoutSeconds`. */
export async function fieldValue(run: StateRun, field: string, binding?: StatesBinding): Promise<unknown> {
  const value = run.state[field];
  if (run.jsonata && hasExpressions(value)) {
    return evaluateTemplate(value, field, binding ?? statesBinding(run), run.frame.variables);
  }
  return value;
}

/** Reads `<field>Path` in JSONPath mode (e.g. `TimeoutSecondsPath`); NOT_FOUND when it does not resolve. */
export function pathFieldValue(run: StateRun, field: string, input: unknown): unknown {
  const path = run.state[`${field}Path`];
  if (typeof path !== 'string') return undefined;
  return evaluatePath(path, pathRoots(run, input));
}

export { evaluateDynamicValue, NOT_FOUND, QueryEvaluationError };
