/** The context object (`$$` in JSONPath, `$states.context` in JSONata). */
import type { StateRun } from './state-run.ts';
import type { JsonObject } from './types.ts';

/** Builds the context object for a state, as AWS shows it (RetryCount only on Task states). */
export function buildContext(run: StateRun): JsonObject {
  const State: JsonObject = { EnteredTime: new Date(run.enteredTime).toISOString(), Name: run.name };
  if (run.state.Type === 'Task') State.RetryCount = run.retryCount;
  const context: JsonObject = {
    Execution: run.exec.contextBase.Execution,
    State,
    StateMachine: run.exec.contextBase.StateMachine,
  };
  if (run.frame.mapItem) context.Map = { Item: run.frame.mapItem };
  return context;
}
