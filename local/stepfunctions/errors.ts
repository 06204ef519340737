/**
 * Failures of the local Step Functions engine. Every failure a state machine can catch is a `StatesError` with the
 * `error` / `cause` pair Step Functions would report; API misuse (bad definition, duplicate name) has its own class.
 */

/** A failure inside an execution: `error` is what `ErrorEquals` matches, `cause` the human (or JSON) detail. */
export class StatesError extends Error {
  override readonly name: string = 'StatesError';
  /** True when the failure came from a Task's work (so `States.TaskFailed` matches it). */
  readonly fromTask: boolean;
  constructor(
    readonly error: string | undefined,
    override readonly cause: string | undefined,
    options: { fromTask?: boolean } = {},
  ) {
    super(`${error ?? ''}${cause ? `: ${cause}` : ''}`);
    this.fromTask = options.fromTask ?? false;
  }
}

/** `States.Runtime`: the definition asked for something impossible on this input (bad path, wrong type). */
export class RuntimeError extends StatesError {
  override readonly name = 'RuntimeError';
  constructor(cause: string) {
    super('States.Runtime', cause);
  }
}

/** `States.QueryEvaluationError`: a JSONata expression failed or returned an unusable value. */
export class QueryEvaluationError extends StatesError {
  override readonly name = 'QueryEvaluationError';
  constructor(cause: string) {
    super('States.QueryEvaluationError', cause);
  }
}

/** `States.Timeout`: a Task ran longer than TimeoutSeconds. */
export class TaskTimeoutError extends StatesError {
  override readonly name = 'TaskTimeoutError';
  constructor(cause = '') {
    super('States.Timeout', cause, { fromTask: false });
  }
}

/** `States.HeartbeatTimeout`: a Task did not call `heartbeat()` within HeartbeatSeconds. */
export class HeartbeatTimeoutError extends StatesError {
  override readonly name = 'HeartbeatTimeoutError';
  constructor() {
    super('States.HeartbeatTimeout', undefined);
  }
}

/** `States.DataLimitExceeded`: a value over the 256 KiB payload limit. */
export class DataLimitExceededError extends StatesError {
  override readonly name = 'DataLimitExceededError';
  constructor(cause: string) {
    super('States.DataLimitExceeded', cause);
  }
}

/** `States.IntrinsicFailure`: an intrinsic function got bad arguments. */
export class IntrinsicFailureError extends StatesError {
  override readonly name = 'IntrinsicFailureError';
  constructor(cause: string) {
    super('States.IntrinsicFailure', cause);
  }
}

/** A Task resource with no registered handler: fails the task instead of calling AWS. */
export class NoTaskHandlerError extends StatesError {
  override readonly name = 'NoTaskHandlerError';
  constructor(readonly resource: string) {
    super(
      'States.TaskFailed',
      `No handler is registered for Task resource '${resource}'. Register one with engine.registerTaskHandler() or engine.registerLambda(); the local engine never calls AWS.${
        resource.endsWith('.waitForTaskToken')
          ? ' (Task tokens / callbacks are not built in: a registered handler stands for the whole callback.)'
          : ''
      }`,
      { fromTask: true },
    );
  }
}

/** The definition is not valid ASL; `path` names the state and field (e.g. `States.Start.Next`). */
export class DefinitionValidationError extends Error {
  override readonly name = 'DefinitionValidationError';
  constructor(readonly problems: readonly { path: string; message: string }[]) {
    super(`Invalid state machine definition:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

/** StartExecution with a name already used by this state machine (running with other input, or closed). */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
  constructor(readonly executionArn: string) {
    super(`Execution Already Exists: '${executionArn}'`);
  }
}

/** An ARN that names no state machine or execution of this engine. */
export class DoesNotExistError extends Error {
  override readonly name: string = 'DoesNotExist';
  constructor(
    readonly kind: 'StateMachine' | 'Execution',
    readonly arn: string,
  ) {
    super(`${kind} Does Not Exist: '${arn}'`);
    this.name = `${kind}DoesNotExist`;
  }
}

/** Raised inside running work when its execution was aborted (StopExecution). Not catchable by the definition. */
export class ExecutionAbortedError extends Error {
  override readonly name = 'ExecutionAbortedError';
}

/**
 * Turns anything a handler threw into an `{error, cause}` pair: a StatesError as is; an object with `error`/`cause`;
 * else an Error's `name` / `message`.
 */
export function toStatesError(thrown: unknown): StatesError {
  if (thrown instanceof StatesError) return thrown;
  if (typeof thrown === 'object' && thrown !== null) {
    const o = thrown as Record<string, unknown>;
    if (typeof o.error === 'string' || ('cause' in o && typeof o.cause === 'string' && !(thrown instanceof Error))) {
      return new StatesError(
        typeof o.error === 'string' ? o.error : undefined,
        typeof o.cause === 'string' ? o.cause : o.cause === undefined ? undefined : JSON.stringify(o.cause),
        { fromTask: true },
      );
    }
    if (thrown instanceof Error) {
      return new StatesError(thrown.name, thrown.message, { fromTask: true });
    }
  }
  return new StatesError('Error', String(thrown), { fromTask: true });
}
