/**
 * Inline Map: runs ItemProcessor (or Iterator) once per item, at most MaxConcurrency at a time (AWS runs at most
 * 40 inline iterations at once, so 0 / unset / larger values mean 40). When an iteration fails beyond
 * ToleratedFailureCount / Percentage, nothing more is scheduled, running iterations are told to stop through
 * their AbortSignal, and the state fails once, after they have settled.
 */
import { effectiveInput, finishState, pathRoots, statesBinding } from '../data-flow.ts';
import { ExecutionAbortedError, QueryEvaluationError, RuntimeError, StatesError, toStatesError } from '../errors.ts';
import { evaluatePath, NOT_FOUND, requirePath } from '../json-path.ts';
import { evaluateExpression, evaluateTemplate, expectType, hasExpressions, isExpression } from '../jsonata-eval.ts';
import { applyPayloadTemplate } from '../payload-template.ts';
import { withRetryAndCatch } from '../retry-catch.ts';
import type { StateOutcome, StateRun } from '../state-run.ts';
import type { MachineDefinition } from '../types.ts';

/** AWS's limit on concurrent inline Map iterations. */
export const INLINE_MAP_CONCURRENCY_LIMIT = 40;

async function readItems(run: StateRun, input: unknown): Promise<unknown[]> {
  if (run.jsonata) {
    const items = run.state.Items;
    if (items === undefined) {
      if (!Array.isArray(run.input)) {
        throw new QueryEvaluationError(`Map state input must be an array but was: ${JSON.stringify(run.input)}`);
      }
      return run.input;
    }
    if (isExpression(items)) {
      const value = await evaluateExpression(items, 'Items', statesBinding(run), run.frame.variables);
      expectType(value, 'array', items, 'Items');
      return value as unknown[];
    }
    const value = await evaluateTemplate(items, 'Items', statesBinding(run), run.frame.variables);
    if (!Array.isArray(value)) throw new QueryEvaluationError(`The Items field must be an array`);
    return value;
  }
  const path = typeof run.state.ItemsPath === 'string' ? run.state.ItemsPath : '$';
  const value = path === '$' ? input : requirePath(path, pathRoots(run, input));
  if (!Array.isArray(value)) {
    throw new QueryEvaluationError(`Map state input must be an array but was: ${JSON.stringify(value)}`);
  }
  return value;
}

async function readMaxConcurrency(run: StateRun, input: unknown): Promise<number> {
  let value: unknown = run.state.MaxConcurrency;
  if (run.jsonata && hasExpressions(value)) {
    value = await evaluateTemplate(value, 'MaxConcurrency', statesBinding(run), run.frame.variables);
  } else if (!run.jsonata && typeof run.state.MaxConcurrencyPath === 'string') {
    const path = run.state.MaxConcurrencyPath;
    value = evaluatePath(path, pathRoots(run, input));
    if (typeof value === 'string' && /^\d+$/.test(value)) value = Number(value);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      const shown = value === NOT_FOUND ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
      throw new RuntimeError(
        `The MaxConcurrencyPath field refers to value "${shown}" which is not a valid integer: ${path}`,
      );
    }
  }
  const n = typeof value === 'number' ? value : 0;
  return n <= 0 || n > INLINE_MAP_CONCURRENCY_LIMIT ? INLINE_MAP_CONCURRENCY_LIMIT : n;
}

async function itemInput(run: StateRun, input: unknown, value: unknown, index: number): Promise<unknown> {
  const selector = run.state.ItemSelector ?? run.state.Parameters;
  if (selector === undefined) return value;
  const context = { ...run.context(), Map: { Item: { Index: index, Value: value } } };
  if (run.jsonata) {
    return evaluateTemplate(selector, 'ItemSelector', { input: run.input, context }, run.frame.variables);
  }
  return applyPayloadTemplate(selector, { input, context, variables: run.frame.variables });
}

async function tolerance(run: StateRun, count: number): Promise<number> {
  let tolerated = 0;
  const c = run.state.ToleratedFailureCount;
  const p = run.state.ToleratedFailurePercentage;
  if (typeof c === 'number') tolerated = c;
  if (typeof p === 'number') tolerated = Math.max(tolerated, Math.floor((p / 100) * count));
  return tolerated;
}

async function runOnce(run: StateRun): Promise<StateOutcome> {
  const input = effectiveInput(run);
  const items = await readItems(run, input);
  const maxConcurrency = await readMaxConcurrency(run, input);
  const processor = (run.state.ItemProcessor ?? run.state.Iterator) as MachineDefinition;
  const tolerated = await tolerance(run, items.length);
  const history = run.exec.history;
  history.add('MapStateStarted', { length: items.length });

  const controller = new AbortController();
  const parent = run.frame.signal;
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  const results = new Array<unknown>(items.length);
  let nextIndex = 0;
  let failures = 0;
  let failure: StatesError | undefined;
  const queryLanguage = processor.QueryLanguage ?? (run.jsonata ? 'JSONata' : 'JSONPath');

  const worker = async (): Promise<void> => {
    while (failure === undefined && !controller.signal.aborted && nextIndex < items.length) {
      const index = nextIndex++;
      const name = run.name;
      history.add('MapIterationStarted', { name, index });
      try {
        const iterationInput = await itemInput(run, input, items[index], index);
        results[index] = await run.exec.runMachine(processor, iterationInput, {
          variables: Object.create(run.frame.variables) as Record<string, unknown>,
          mapItem: { Index: index, Value: items[index] },
          signal: controller.signal,
          queryLanguage,
        });
        history.add('MapIterationSucceeded', { name, index });
      } catch (error) {
        if (error instanceof ExecutionAbortedError || controller.signal.aborted) {
          history.add('MapIterationAborted', { name, index });
          continue;
        }
        history.add('MapIterationFailed', { name, index });
        failures++;
        results[index] = undefined;
        if (failures > tolerated && failure === undefined) {
          failure =
            tolerated > 0 ||
            run.state.ToleratedFailurePercentage !== undefined ||
            run.state.ToleratedFailureCount !== undefined
              ? new StatesError(
                  'States.ExceedToleratedFailureThreshold',
                  'The specified tolerated failure threshold was exceeded',
                )
              : toStatesError(error);
          controller.abort(failure);
        }
      }
    }
  };

  try {
    const workers = Array.from({ length: Math.min(maxConcurrency, items.length) }, worker);
    await Promise.all(workers);
    if (parent.aborted) throw new ExecutionAbortedError('aborted');
    if (failure) {
      history.add('MapStateFailed');
      throw failure;
    }
    history.add('MapStateSucceeded');
    const output = await finishState(
      run,
      results.map((r) => (r === undefined ? null : r)),
    );
    return { output, next: run.state.Next };
  } finally {
    parent.removeEventListener('abort', onAbort);
  }
}

export async function runMap(run: StateRun): Promise<StateOutcome> {
  return withRetryAndCatch(run, () => runOnce(run));
}
