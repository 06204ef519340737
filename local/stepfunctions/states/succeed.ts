/** Succeed: ends the machine (or branch / iteration) successfully. */
import { effectiveInput, finishState } from '../data-flow.ts';
import type { StateOutcome, StateRun } from '../state-run.ts';

export async function runSucceed(run: StateRun): Promise<StateOutcome> {
  const output = await finishState(run, effectiveInput(run), false);
  return { output, next: undefined };
}
