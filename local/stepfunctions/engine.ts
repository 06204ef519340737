/**
 * The public face of the local Step Functions engine: register Task handlers and Lambda functions, create state
 * machines, start and describe executions, watch their history.
 *
 * ```ts
 * const engine = new StepFunctionsEngine({ clock: new VirtualClock() });
 * engine.registerLambda('S3ImportToAurora', async (payload, { signal }) => importTable(payload, signal));
 * const arn = engine.createStateMachine({ name: 'importFromS3ToAurora', definition, substitutions });
 * const execution = engine.startExecution({ stateMachineArn: arn, name: 'shows-2026-11-27T10-1', input });
 * const result = await execution.done; // { status: 'SUCCEEDED', output: '...' }
 * ```
 */
import { randomUUID } from 'node:crypto';
import { type Clock, realClock } from '../clock.ts';
import {
  DoesNotExistError,
  ExecutionAbortedError,
  ExecutionAlreadyExistsError,
  NoTaskHandlerError,
  StatesError,
  toStatesError,
} from './errors.ts';
import { type ExecutionDescription, ExecutionRun } from './execution.ts';
import type { HistoryEvent, HistoryListener } from './history.ts';
import type { StateRun } from './state-run.ts';
import { applySubstitutions, type Substitutions } from './substitutions.ts';
import { isObject, type JsonObject, type MachineDefinition } from './types.ts';
import { validateDefinition } from './validation.ts';

/** What a Task handler receives besides its input. */
export interface TaskHandlerContext {
  /** The context object (`$$`) of the Task state. */
  readonly context: JsonObject;
  /** Aborts when the task times out, a sibling branch/iteration fails, or the execution stops. */
  readonly signal: AbortSignal;
  readonly stateName: string;
  /** The Task's Resource ARN. */
  readonly resource: string;
  /** Resets the HeartbeatSeconds timer. */
  heartbeat(): void;
}

/**
 * Handles a Task resource. Its return value is the task result. A thrown value becomes the task failure:
 * `{error, cause}` fields are used as they are, else Error = `name`, Cause = `message`.
 */
export type TaskHandler = (input: unknown, ctx: TaskHandlerContext) => Promise<unknown>;

/**
 * A local Lambda function. A thrown value with `errorType` / `errorMessage` (Lambda's wire format) is reported as
 * is; any other Error becomes Error = its `name`, Cause = JSON `{errorMessage, errorType, trace}`.
 */
export type LambdaHandler = (
  payload: unknown,
  ctx: TaskHandlerContext & { readonly functionName: string },
) => Promise<unknown>;

export interface StepFunctionsEngineOptions {
  /** Time source for Wait, Retry and timeouts. Default: real time. */
  readonly clock?: Clock;
  /** Default '000000000000'. */
  readonly accountId?: string;
  /** Default 'us-east-1'. */
  readonly region?: string;
  /** `$$.Execution.RoleArn`. Default `arn:aws:iam::<account>:role/local-stepfunctions`. */
  readonly roleArn?: string;
  /** An execution fails past this many history events, as on AWS. Default 25,000. */
  readonly maxHistoryEvents?: number;
}

export interface CreateStateMachineInput {
  readonly name: string;
  /** ASL as JSON text or an object. */
  readonly definition: string | object;
  /** `${Name}` substitutions, as CloudFormation DefinitionSubstitutions. */
  readonly substitutions?: Substitutions;
  readonly type?: 'STANDARD' | 'EXPRESS';
  readonly roleArn?: string;
}

export interface StartExecutionInput {
  readonly stateMachineArn: string;
  /** Unique per state machine; default a UUID. */
  readonly name?: string;
  /** The execution input as a value (not JSON text). Default `{}`. */
  readonly input?: unknown;
}

/** A started execution. */
export interface ExecutionHandle {
  readonly executionArn: string;
  /** Settles (never rejects) when the execution ends. */
  readonly done: Promise<ExecutionDescription>;
  /** Stops the execution (status ABORTED); running handlers see their signal abort. */
  abort(reason?: string): void;
  /** Subscribes to this execution's later history events; returns an unsubscribe function. */
  onEvent(listener: HistoryListener): () => void;
  /** The events recorded so far. */
  readonly history: readonly HistoryEvent[];
}

interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  readonly definition: MachineDefinition;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly roleArn: string;
  readonly executions: Map<string, ExecutionRun>;
}

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/;
const LAMBDA_INVOKE = /^arn:aws[a-z-]*:states:::lambda:invoke$/;
const START_EXECUTION = /^arn:aws[a-z-]*:states:::states:startExecution(\.sync(?::2)?)?$/;

function functionNameOf(nameOrArn: string): string {
  const m = /(?:^|:)function:([^:]+)/.exec(nameOrArn);
  return m ? (m[1] as string) : (nameOrArn.split(':')[0] as string);
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** JSON as Python's json.dumps writes it (the AWS-recorded Content-Length comes from Python functions). */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  return JSON.stringify(value) ?? 'null';
}

/** Lambda's error payload for a thrown value. */
function lambdaFailure(thrown: unknown): StatesError {
  if (thrown instanceof StatesError) return thrown;
  if (isObject(thrown) && typeof thrown.errorType === 'string') {
    return new StatesError(thrown.errorType, JSON.stringify(thrown), { fromTask: true });
  }
  if (thrown instanceof Error) {
    const trace = thrown.stack
      ?.split('\n')
      .slice(1)
      .map((l) => l.trim());
    return new StatesError(
      thrown.name,
      JSON.stringify({ errorMessage: thrown.message, errorType: thrown.name, ...(trace ? { trace } : {}) }),
      { fromTask: true },
    );
  }
  return toStatesError(thrown);
}

/** The local Step Functions engine. */
export class StepFunctionsEngine {
  readonly clock: Clock;
  readonly accountId: string;
  readonly region: string;
  private readonly roleArn: string;
  private readonly maxHistoryEvents: number;
  private readonly exactHandlers = new Map<string, TaskHandler>();
  private readonly patternHandlers: { pattern: RegExp; handler: TaskHandler }[] = [];
  private readonly lambdas = new Map<string, LambdaHandler>();
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, ExecutionRun>();
  private readonly listeners = new Set<HistoryListener>();

  constructor(options: StepFunctionsEngineOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.accountId = options.accountId ?? '000000000000';
    this.region = options.region ?? 'us-east-1';
    this.roleArn = options.roleArn ?? `arn:aws:iam::${this.accountId}:role/local-stepfunctions`;
    this.maxHistoryEvents = options.maxHistoryEvents ?? 25_000;
  }

  /** Serves Task states whose Resource equals `resource`, matches the RegExp, or matches a `*` glob. */
  registerTaskHandler(resource: string | RegExp, handler: TaskHandler): void {
    if (typeof resource === 'string' && !resource.includes('*')) this.exactHandlers.set(resource, handler);
    else
      this.patternHandlers.push({ pattern: typeof resource === 'string' ? globToRegExp(resource) : resource, handler });
  }

  /** Serves a Lambda function, both as a function-ARN Resource and through `arn:aws:states:::lambda:invoke`. */
  registerLambda(functionNameOrArn: string, handler: LambdaHandler): void {
    this.lambdas.set(functionNameOf(functionNameOrArn), handler);
  }

  /** Validates and stores a state machine; returns its ARN. Creating an existing name replaces its definition. */
  createStateMachine(input: CreateStateMachineInput): string {
    const text = typeof input.definition === 'string' ? input.definition : JSON.stringify(input.definition);
    const substituted = applySubstitutions(text, input.substitutions);
    let definition: unknown;
    try {
      definition = JSON.parse(substituted);
    } catch (error) {
      throw new SyntaxError(
        `State machine '${input.name}': the definition is not valid JSON: ${(error as Error).message}`,
      );
    }
    validateDefinition(definition);
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${input.name}`;
    const existing = this.machines.get(arn);
    this.machines.set(arn, {
      arn,
      name: input.name,
      definition: definition as MachineDefinition,
      type: input.type ?? 'STANDARD',
      roleArn: input.roleArn ?? this.roleArn,
      executions: existing?.executions ?? new Map(),
    });
    return arn;
  }

  /**
   * Starts an execution. A name already used by this state machine returns the running execution when the input
   * is the same (idempotent, as AWS does for STANDARD workflows); otherwise throws `ExecutionAlreadyExistsError`.
   */
  startExecution(input: StartExecutionInput): ExecutionHandle {
    return this.start(input, false);
  }

  /** StartSyncExecution (for EXPRESS machines): resolves with the finished execution's description. */
  startSyncExecution(input: StartExecutionInput): Promise<ExecutionDescription> {
    return this.start(input, true).done;
  }

  private start(input: StartExecutionInput, sync: boolean): ExecutionHandle {
    const machine = this.machines.get(input.stateMachineArn);
    if (!machine) throw new DoesNotExistError('StateMachine', input.stateMachineArn);
    const name = input.name ?? randomUUID();
    const value = input.input === undefined ? {} : input.input;
    const executionArn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.name}:${name}`;
    const existing = machine.executions.get(name);
    if (existing) {
      if (existing.describe().status === 'RUNNING' && existing.inputText === JSON.stringify(value))
        return this.handle(existing);
      throw new ExecutionAlreadyExistsError(executionArn);
    }
    const run = new ExecutionRun({
      executionArn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      definition: machine.definition,
      input: value,
      clock: this.clock,
      roleArn: machine.roleArn,
      type: machine.type,
      synchronous: sync,
      maxHistoryEvents: this.maxHistoryEvents,
      invokeTask: (state, resource, args, signal, heartbeat) =>
        this.invokeTask(state, resource, args, signal, heartbeat),
      forwardEvent: (event) => {
        for (const listener of this.listeners) listener(event);
      },
    });
    machine.executions.set(name, run);
    this.executions.set(executionArn, run);
    return this.handle(run);
  }

  /** DescribeExecution. */
  describeExecution(executionArn: string): ExecutionDescription {
    const run = this.executions.get(executionArn);
    if (!run) throw new DoesNotExistError('Execution', executionArn);
    return run.describe();
  }

  /** The history of an execution so far. */
  getExecutionHistory(executionArn: string): readonly HistoryEvent[] {
    const run = this.executions.get(executionArn);
    if (!run) throw new DoesNotExistError('Execution', executionArn);
    return run.history.events;
  }

  /** Subscribes to every history event of every execution (nested ones included); returns an unsubscribe function. */
  onEvent(listener: HistoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private handle(run: ExecutionRun): ExecutionHandle {
    return {
      executionArn: run.executionArn,
      done: run.done,
      abort: (reason?: string) => run.abort(reason),
      onEvent: (listener) => run.history.subscribe(listener),
      history: run.history.events,
    };
  }

  /** Runs a user handler so a virtual clock knows it is busy. */
  private track<T>(work: () => Promise<T>): Promise<T> {
    return this.clock.track ? this.clock.track(work) : work();
  }

  private findHandler(resource: string): TaskHandler | undefined {
    const exact = this.exactHandlers.get(resource);
    if (exact) return exact;
    return this.patternHandlers.find((h) => h.pattern.test(resource))?.handler;
  }

  private async invokeTask(
    run: StateRun,
    resource: string,
    input: unknown,
    signal: AbortSignal,
    heartbeat: () => void,
  ): Promise<unknown> {
    const ctx: TaskHandlerContext = { context: run.context(), signal, stateName: run.name, resource, heartbeat };
    const history = run.exec.history;
    const handler = this.findHandler(resource);
    const lambdaArn = handler ? undefined : LAMBDA_ARN.exec(resource);
    if (lambdaArn) {
      const functionName = lambdaArn[1] as string;
      history.add('LambdaFunctionScheduled', { resource, input: JSON.stringify(input) });
      history.add('LambdaFunctionStarted');
      try {
        const result = await this.callLambda(functionName, input, ctx);
        history.add('LambdaFunctionSucceeded', { output: JSON.stringify(result) });
        return result;
      } catch (thrown) {
        const error = thrown instanceof ExecutionAbortedError ? thrown : lambdaFailure(thrown);
        if (error instanceof StatesError)
          history.add('LambdaFunctionFailed', { error: error.error, cause: error.cause });
        throw error;
      }
    }
    const [resourceType, resourceName] = resource.startsWith('arn:aws:states:::')
      ? (resource.slice('arn:aws:states:::'.length).split(':') as [string, string])
      : ['custom', resource];
    history.add('TaskScheduled', { resource: resourceName, resourceType, parameters: JSON.stringify(input) });
    history.add('TaskStarted', { resource: resourceName, resourceType });
    try {
      let result: unknown;
      if (handler) {
        try {
          result = await this.track(() => handler(input, ctx));
        } catch (thrown) {
          throw toStatesError(thrown);
        }
      } else if (LAMBDA_INVOKE.test(resource)) result = await this.lambdaInvoke(input, ctx);
      else if (START_EXECUTION.test(resource)) result = await this.startChild(resource, input, signal);
      else throw new NoTaskHandlerError(resource);
      history.add('TaskSucceeded', { resource: resourceName, resourceType, output: JSON.stringify(result) });
      return result;
    } catch (thrown) {
      if (thrown instanceof StatesError) {
        history.add('TaskFailed', { resource: resourceName, resourceType, error: thrown.error, cause: thrown.cause });
      }
      throw thrown;
    }
  }

  private async callLambda(functionName: string, payload: unknown, ctx: TaskHandlerContext): Promise<unknown> {
    const lambda = this.lambdas.get(functionName);
    if (!lambda) {
      throw new StatesError(
        'Lambda.ResourceNotFoundException',
        `Function not found: arn:aws:lambda:${this.region}:${this.accountId}:function:${functionName} (no Lambda of that name is registered with the local engine)`,
        { fromTask: true },
      );
    }
    try {
      const result = await this.track(() => lambda(payload, { ...ctx, functionName }));
      return result === undefined ? null : result;
    } catch (thrown) {
      throw lambdaFailure(thrown);
    }
  }

  /** `arn:aws:states:::lambda:invoke`: the function's result wrapped as the Lambda Invoke API answers. */
  private async lambdaInvoke(input: unknown, ctx: TaskHandlerContext): Promise<unknown> {
    const params = isObject(input) ? input : {};
    if (typeof params.FunctionName !== 'string') {
      throw new StatesError('States.Runtime', 'lambda:invoke needs a FunctionName parameter');
    }
    let payload = params.Payload === undefined || params.Payload === null ? {} : params.Payload;
    if (typeof payload === 'string') {
      // A string Payload is sent as the request body, i.e. as JSON text.
      try {
        payload = JSON.parse(payload);
      } catch {
        // not JSON: the function receives the string
      }
    }
    const result = await this.callLambda(functionNameOf(params.FunctionName), payload, ctx);
    const length = String(Buffer.byteLength(pythonJson(result), 'utf8'));
    const requestId = randomUUID();
    const date = new Date(this.clock.now()).toUTCString();
    const trace = `Root=1-${randomUUID().replace(/-/g, '').slice(0, 8)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`;
    const headers: Record<string, string> = {
      Connection: 'keep-alive',
      'Content-Length': length,
      'Content-Type': 'application/json',
      Date: date,
      'X-Amz-Executed-Version': '$LATEST',
      'x-amzn-Remapped-Content-Length': '0',
      'x-amzn-RequestId': requestId,
      'X-Amzn-Trace-Id': trace,
    };
    const out: JsonObject = { ExecutedVersion: '$LATEST' };
    if (params.LogType === 'Tail') {
      const log = Buffer.from(`START RequestId: ${requestId}\nEND RequestId: ${requestId}\n`).toString('base64');
      out.LogResult = log;
      headers['X-Amz-Log-Result'] = log;
    }
    out.Payload = result;
    out.SdkHttpMetadata = {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    };
    out.SdkResponseMetadata = { RequestId: requestId };
    out.StatusCode = 200;
    return out;
  }

  /** `states:startExecution` (fire and forget), `.sync` (output as text) and `.sync:2` (output parsed). */
  private async startChild(resource: string, input: unknown, signal: AbortSignal): Promise<unknown> {
    const params = isObject(input) ? input : {};
    const mode = START_EXECUTION.exec(resource)?.[1];
    const stateMachineArn = String(params.StateMachineArn);
    let childInput: unknown = params.Input === undefined ? {} : params.Input;
    if (typeof childInput === 'string') {
      try {
        childInput = JSON.parse(childInput);
      } catch {
        throw new StatesError(
          'StepFunctions.InvalidExecutionInputException',
          `Invalid execution input: ${childInput}`,
          { fromTask: true },
        );
      }
    }
    let handle: ExecutionHandle;
    try {
      handle = this.startExecution({
        stateMachineArn,
        input: childInput,
        ...(typeof params.Name === 'string' ? { name: params.Name } : {}),
      });
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError) {
        throw new StatesError('StepFunctions.ExecutionAlreadyExistsException', error.message, { fromTask: true });
      }
      if (error instanceof DoesNotExistError) {
        throw new StatesError('StepFunctions.StateMachineDoesNotExistException', error.message, { fromTask: true });
      }
      throw error;
    }
    const started = this.describeExecution(handle.executionArn);
    if (!mode) return { ExecutionArn: handle.executionArn, StartDate: started.startDate.getTime() };
    const onAbort = () => handle.abort('parent execution stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    let description: ExecutionDescription;
    try {
      description = await handle.done;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) throw new ExecutionAbortedError('aborted');
    const parsed = mode === '.sync:2';
    const shape: JsonObject = {
      ExecutionArn: description.executionArn,
      Input: parsed ? JSON.parse(description.input) : description.input,
      InputDetails: { Included: true },
      Name: description.name,
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      StartDate: description.startDate.getTime(),
      StateMachineArn: description.stateMachineArn,
      Status: description.status,
      StopDate: description.stopDate?.getTime(),
    };
    if (description.status === 'SUCCEEDED') {
      shape.Output = parsed && description.output !== undefined ? JSON.parse(description.output) : description.output;
      shape.OutputDetails = { Included: true };
      return shape;
    }
    if (description.error !== undefined) shape.Error = description.error;
    if (description.cause !== undefined) shape.Cause = description.cause;
    throw new StatesError('States.TaskFailed', JSON.stringify(shape), { fromTask: true });
  }
}
