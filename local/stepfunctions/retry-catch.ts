/**
 * Retry and Catch for Task, Map and Parallel states. `ErrorEquals` matches exactly (case-sensitive);
 * `States.ALL` matches everything; `States.Runtime` is never matched (terminal on AWS);
 * `States.TaskFailed` matches any failure of the task's work except `States.Timeout`.
 */

import { applyAssignments, applyResultPath, evaluateAssign, statesBinding } from './data-flow.ts';
import {
  DataLimitExceededError,
  ExecutionAbortedError,
  IntrinsicFailureError,
  QueryEvaluationError,
  RuntimeError,
  type StatesError,
  toStatesError,
} from './errors.ts';
import { evaluateTemplate } from './jsonata-eval.ts';
import type { StateOutcome, StateRun } from './state-run.ts';
import type { Catcher, Retrier } from './types.ts';

const PREFIX = 'An error occurred while executing the state';

/** Adds AWS's "An error occurred while executing the state 'X' (entered at the event id #N)." to runtime errors. */
export function locateError(run: StateRun, error: StatesError): StatesError {
  const located =
    error instanceof RuntimeError ||
    error instanceof QueryEvaluationError ||
    error instanceof IntrinsicFailureError ||
    (error instanceof DataLimitExceededError && false);
  if (!located || error.cause?.startsWith(PREFIX)) return error;
  const cause = `${PREFIX} '${run.name}' (entered at the event id #${run.enteredEventId}). ${error.cause ?? ''}`;
  const copy =
    error instanceof RuntimeError
      ? new RuntimeError(cause)
      : error instanceof QueryEvaluationError
        ? new QueryEvaluationError(cause)
        : new IntrinsicFailureError(cause);
  return copy;
}

/** Whether `names` (an ErrorEquals list) matches `error`. */
export function errorMatches(names: readonly string[], error: StatesError): boolean {
  const name = error.error ?? '';
  // States.Runtime is terminal on AWS: no Retry or Catch applies, not even one naming it.
  if (name === 'States.Runtime') return false;
  for (const candidate of names) {
    if (candidate === name) return true;
    if (candidate === 'States.ALL') return true;
    if (candidate === 'States.TaskFailed' && error.fromTask && name !== 'States.Timeout') return true;
  }
  return false;
}

/** Delay before retry number `attempt` (0-based), in ms. */
export function retryDelayMs(retrier: Retrier, attempt: number): number {
  const interval = retrier.IntervalSeconds ?? 1;
  const backoff = retrier.BackoffRate ?? 2;
  let seconds = interval * backoff ** attempt;
  if (retrier.MaxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.MaxDelaySeconds);
  if (retrier.JitterStrategy === 'FULL') seconds = Math.random() * seconds;
  return seconds * 1000;
}

/** The error output a Catch hands on: `{Error, Cause}` (fields absent when unknown). */
export function errorOutput(error: StatesError): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (error.error !== undefined) out.Error = error.error;
  if (error.cause !== undefined) out.Cause = error.cause;
  return out;
}

async function applyCatcher(run: StateRun, catcher: Catcher, error: StatesError): Promise<StateOutcome> {
  const errOut = errorOutput(error);
  if (run.jsonata) {
    const binding = statesBinding(run, { errorOutput: errOut });
    const assigned = await evaluateAssign(run, catcher.Assign, undefined, () => binding);
    const output =
      catcher.Output === undefined
        ? errOut
        : await evaluateTemplate(catcher.Output, 'Output', binding, run.frame.variables);
    applyAssignments(run, assigned);
    return { output, next: catcher.Next };
  }
  const assigned = await evaluateAssign(run, catcher.Assign, errOut, () => statesBinding(run));
  const output = applyResultPath(run, catcher.ResultPath, errOut);
  applyAssignments(run, assigned);
  return { output, next: catcher.Next };
}

/**
 * Runs `attempt` with the state's Retry and Catch. Aborts (execution stopped) pass through untouched.
 * `onRetry` lets the caller record per-attempt events.
 */
export async function withRetryAndCatch(run: StateRun, attempt: () => Promise<StateOutcome>): Promise<StateOutcome> {
  const retriers = run.state.Retry ?? [];
  const attempts = new Array<number>(retriers.length).fill(0);
  for (;;) {
    try {
      return await attempt();
    } catch (thrown) {
      if (thrown instanceof ExecutionAbortedError) throw thrown;
      if (run.frame.signal.aborted) throw new ExecutionAbortedError('aborted');
      const error = locateError(run, toStatesError(thrown));
      const index = retriers.findIndex((r) => errorMatches(r.ErrorEquals, error));
      const retrier = retriers[index];
      if (retrier && (attempts[index] ?? 0) < (retrier.MaxAttempts ?? 3)) {
        const delay = retryDelayMs(retrier, attempts[index] ?? 0);
        attempts[index] = (attempts[index] ?? 0) + 1;
        run.retryCount++;
        try {
          await run.exec.clock.sleep(delay, run.frame.signal);
        } catch {
          throw new ExecutionAbortedError('aborted');
        }
        continue;
      }
      const catcher = (run.state.Catch ?? []).find((c) => errorMatches(c.ErrorEquals, error));
      if (catcher) return applyCatcher(run, catcher, error);
      throw error;
    }
  }
}
