/**
 * Parallel: runs every branch on the same input; the result is the array of branch outputs. When a branch fails,
 * the others are told to stop (their AbortSignal aborts), the state waits for them to settle and fails once.
 */
import { effectiveInput, finishState, stateArguments } from '../data-flow.ts';
import { ExecutionAbortedError, type StatesError, toStatesError } from '../errors.ts';
import { withRetryAndCatch } from '../retry-catch.ts';
import type { StateOutcome, StateRun } from '../state-run.ts';
import type { MachineDefinition } from '../types.ts';

async function runOnce(run: StateRun): Promise<StateOutcome> {
  const input = await stateArguments(run, effectiveInput(run));
  const branches = (run.state.Branches ?? []) as MachineDefinition[];
  const history = run.exec.history;
  history.add('ParallelStateStarted');
  const controller = new AbortController();
  const parent = run.frame.signal;
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  let failure: StatesError | undefined;
  try {
    const results = await Promise.all(
      branches.map((branch) =>
        run.exec
          .runMachine(branch, input, {
            variables: Object.create(run.frame.variables) as Record<string, unknown>,
            signal: controller.signal,
            queryLanguage: branch.QueryLanguage ?? (run.jsonata ? 'JSONata' : 'JSONPath'),
          })
          .catch((error: unknown) => {
            if (!(error instanceof ExecutionAbortedError) && failure === undefined) {
              failure = toStatesError(error);
              controller.abort(failure);
            }
            return undefined;
          }),
      ),
    );
    if (parent.aborted) throw new ExecutionAbortedError('aborted');
    if (failure) {
      history.add('ParallelStateFailed');
      throw failure;
    }
    history.add('ParallelStateSucceeded');
    const output = await finishState(run, results);
    return { output, next: run.state.Next };
  } finally {
    parent.removeEventListener('abort', onAbort);
  }
}

export async function runParallel(run: StateRun): Promise<StateOutcome> {
  return withRetryAndCatch(run, () => runOnce(run));
}
