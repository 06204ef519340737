/** Pass: hands its input (or Result / Parameters / Output) on. */
import { effectiveInput, finishState, stateArguments } from '../data-flow.ts';
import type { StateOutcome, StateRun } from '../state-run.ts';

export async function runPass(run: StateRun): Promise<StateOutcome> {
  let result: unknown;
  if (run.jsonata) result = run.input;
  else {
    const input = effectiveInput(run);
    result = run.state.Result !== undefined ? run.state.Result : await stateArguments(run, input);
  }
  // Pass has ResultPath but no ResultSelector; finishState skips the absent ResultSelector.
  const output = await finishState(run, result);
  return { output, next: run.state.Next };
}
