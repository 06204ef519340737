/**
 * Task: calls the handler registered for its Resource, with TimeoutSeconds / HeartbeatSeconds enforced on the
 * engine clock and the handler's AbortSignal aborted on timeout or when the execution stops. No timeout unless
 * the definition sets one.
 */
import {
  effectiveInput,
  fieldValue,
  finishState,
  pathFieldValue,
  stateArguments,
  statesBinding,
} from '../data-flow.ts';
import {
  DataLimitExceededError,
  ExecutionAbortedError,
  HeartbeatTimeoutError,
  RuntimeError,
  StatesError,
  TaskTimeoutError,
} from '../errors.ts';
import { NOT_FOUND } from '../json-path.ts';
import { withRetryAndCatch } from '../retry-catch.ts';
import type { StateOutcome, StateRun } from '../state-run.ts';

/** Step Functions' payload limit (256 KiB). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

async function seconds(
  run: StateRun,
  field: 'TimeoutSeconds' | 'HeartbeatSeconds',
  input: unknown,
): Promise<number | undefined> {
  let value: unknown;
  if (run.jsonata) value = await fieldValue(run, field, statesBinding(run));
  else {
    value = run.state[field];
    if (value === undefined) {
      value = pathFieldValue(run, field, input);
      if (value === NOT_FOUND)
        throw new RuntimeError(
          `The ${field}Path parameter does not reference an input value: ${String(run.state[`${field}Path`])}`,
        );
    }
  }
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new RuntimeError(`The ${field} value must be a positive integer, but was: ${JSON.stringify(value)}`);
  }
  return value;
}

/** How AWS names the task in DataLimitExceeded causes: the Lambda ARN, the service name, else the state. */
function taskLabel(resource: string, stateName: string): string {
  if (/^arn:aws[a-z-]*:lambda:/.test(resource)) return resource;
  const service = /^arn:aws[a-z-]*:states:::([^:]+):/.exec(resource);
  return service ? (service[1] as string) : stateName;
}

async function invokeOnce(run: StateRun): Promise<StateOutcome> {
  const input = effectiveInput(run);
  const args = await stateArguments(run, input);
  const timeout = await seconds(run, 'TimeoutSeconds', input);
  const heartbeat = await seconds(run, 'HeartbeatSeconds', input);
  const resource = String(run.state.Resource);

  const controller = new AbortController();
  const parent = run.frame.signal;
  const onParentAbort = () => controller.abort(parent.reason);
  if (parent.aborted) throw new ExecutionAbortedError('aborted');
  parent.addEventListener('abort', onParentAbort, { once: true });
  const timers = new AbortController();
  const clock = run.exec.clock;

  let heartbeatReset: (() => void) | undefined;
  const failures: Promise<never>[] = [];
  if (timeout !== undefined) {
    failures.push(
      clock.sleep(timeout * 1000, timers.signal).then(() => {
        throw new TaskTimeoutError();
      }),
    );
  }
  if (heartbeat !== undefined) {
    failures.push(
      new Promise<never>((_, reject) => {
        let beat = 0;
        const arm = () => {
          const mine = ++beat;
          clock.sleep(heartbeat * 1000, timers.signal).then(
            () => {
              if (mine === beat) reject(new HeartbeatTimeoutError());
            },
            () => undefined,
          );
        };
        heartbeatReset = arm;
        arm();
      }),
    );
  }
  const work = run.exec.invokeTask(run, resource, args, controller.signal, () => heartbeatReset?.());
  let result: unknown;
  try {
    result = failures.length === 0 ? await work : await Promise.race([work, ...failures]);
  } catch (error) {
    if (!controller.signal.aborted) controller.abort(error);
    if (parent.aborted) throw new ExecutionAbortedError('aborted');
    if (error instanceof TaskTimeoutError || error instanceof HeartbeatTimeoutError) {
      const lambda = /^arn:aws[a-z-]*:lambda:/.test(resource);
      run.exec.history.add(lambda ? 'LambdaFunctionTimedOut' : 'TaskTimedOut', {
        resource,
        error: error.error,
        cause: error.cause,
      });
    }
    throw error;
  } finally {
    timers.abort();
    parent.removeEventListener('abort', onParentAbort);
    for (const f of failures) f.catch(() => undefined);
    work.catch(() => undefined);
  }
  const size = result === undefined ? 0 : Buffer.byteLength(JSON.stringify(result) ?? '', 'utf8');
  if (size > MAX_PAYLOAD_BYTES) {
    throw new DataLimitExceededError(
      `The state/task '${taskLabel(resource, run.name)}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
  const output = await finishState(run, result === undefined ? null : result);
  return { output, next: run.state.Next };
}

export async function runTask(run: StateRun): Promise<StateOutcome> {
  return withRetryAndCatch(run, () => invokeOnce(run));
}

export { StatesError };
