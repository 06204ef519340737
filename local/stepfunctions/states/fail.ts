/** Fail: ends the machine with Error / Cause (literal, `*Path` in JSONPath, or JSONata). */
import { evaluateDynamicValue, fieldValue, pathRoots, statesBinding } from '../data-flow.ts';
import { RuntimeError, StatesError } from '../errors.ts';
import { evaluatePath, NOT_FOUND } from '../json-path.ts';
import type { StateOutcome, StateRun } from '../state-run.ts';

async function read(run: StateRun, field: 'Error' | 'Cause'): Promise<string | undefined> {
  if (run.jsonata) {
    const value = await fieldValue(run, field, statesBinding(run));
    return value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);
  }
  const path = run.state[`${field}Path`];
  if (typeof path === 'string') {
    const roots = pathRoots(run, run.input);
    let value: unknown;
    if (path.startsWith('States.')) value = evaluateDynamicValue(path, `${field}Path`, roots);
    else {
      value = evaluatePath(path, roots);
      if (value === NOT_FOUND) {
        throw new RuntimeError(
          `The JSONPath '${path}' specified for the field '${field}Path' could not be found in the input '${JSON.stringify(run.input)}'`,
        );
      }
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  const value = run.state[field];
  return typeof value === 'string' ? value : undefined;
}

export async function runFail(run: StateRun): Promise<StateOutcome> {
  const error = await read(run, 'Error');
  const cause = await read(run, 'Cause');
  throw new StatesError(error, cause);
}
