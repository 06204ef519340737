/**
 * One running execution: walks the states from StartAt, records history, and settles as SUCCEEDED, FAILED,
 * TIMED_OUT or ABORTED. `abort()` aborts the signal every piece of its work listens to.
 */
import type { Clock } from '../clock.ts';
import { buildContext } from './context-object.ts';
import { DataLimitExceededError, ExecutionAbortedError, RuntimeError, StatesError, toStatesError } from './errors.ts';
import { History, type HistoryEventType, type HistoryListener } from './history.ts';
import { locateError } from './retry-catch.ts';
import type { ExecutionServices, Frame, StateOutcome, StateRun } from './state-run.ts';
import { runChoice } from './states/choice.ts';
import { runFail } from './states/fail.ts';
import { runMap } from './states/map.ts';
import { runParallel } from './states/parallel.ts';
import { runPass } from './states/pass.ts';
import { runSucceed } from './states/succeed.ts';
import { MAX_PAYLOAD_BYTES, runTask } from './states/task.ts';
import { runWait } from './states/wait.ts';
import type { JsonObject, MachineDefinition, StateDefinition } from './types.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** What DescribeExecution returns (dates as Date, input/output as JSON text). */
export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

const RUNNERS: Record<string, (run: StateRun) => Promise<StateOutcome>> = {
  Pass: runPass,
  Task: runTask,
  Choice: runChoice,
  Wait: runWait,
  Succeed: runSucceed,
  Fail: runFail,
  Parallel: runParallel,
  Map: runMap,
};

type TaskInvoker = ExecutionServices['invokeTask'];

export interface ExecutionRunOptions {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly name: string;
  readonly definition: MachineDefinition;
  readonly input: unknown;
  readonly clock: Clock;
  readonly roleArn: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** Started by StartSyncExecution. */
  readonly synchronous: boolean;
  readonly invokeTask: TaskInvoker;
  readonly forwardEvent: HistoryListener;
  /** AWS fails an execution past 25,000 history events. */
  readonly maxHistoryEvents: number;
}

class StateRunImpl implements StateRun {
  retryCount = 0;
  private cachedContext: JsonObject | undefined;
  private cachedRetry = -1;
  constructor(
    readonly exec: ExecutionServices,
    readonly name: string,
    readonly state: StateDefinition,
    readonly jsonata: boolean,
    readonly input: unknown,
    readonly frame: Frame,
    readonly enteredEventId: number,
    readonly enteredTime: number,
  ) {}
  context(): JsonObject {
    if (!this.cachedContext || this.cachedRetry !== this.retryCount) {
      this.cachedContext = buildContext(this);
      this.cachedRetry = this.retryCount;
    }
    return this.cachedContext;
  }
}

/** A running (or finished) execution. */
export class ExecutionRun implements ExecutionServices {
  readonly executionArn: string;
  readonly history: History;
  readonly clock: Clock;
  readonly contextBase: { Execution: JsonObject; StateMachine: JsonObject };
  readonly done: Promise<ExecutionDescription>;
  readonly inputText: string;
  private readonly controller = new AbortController();
  private description: ExecutionDescription;
  private readonly invoker: TaskInvoker;
  private transitions = 0;

  constructor(private readonly options: ExecutionRunOptions) {
    this.executionArn = options.executionArn;
    this.clock = options.clock;
    this.invoker = options.invokeTask;
    this.history = new History(options.executionArn, () => options.clock.now(), options.forwardEvent);
    const startDate = new Date(options.clock.now());
    this.inputText = JSON.stringify(options.input);
    this.contextBase = {
      Execution: {
        Id: options.executionArn,
        Input: options.input,
        StartTime: startDate.toISOString(),
        Name: options.name,
        RoleArn: options.roleArn,
        // Synchronous Express executions cannot be redriven, so their context has no RedriveCount.
        ...(options.synchronous ? {} : { RedriveCount: 0 }),
      },
      StateMachine: { Id: options.stateMachineArn, Name: options.stateMachineName },
    };
    this.description = {
      executionArn: options.executionArn,
      stateMachineArn: options.stateMachineArn,
      name: options.name,
      status: 'RUNNING',
      startDate,
      input: this.inputText,
    };
    this.done = this.run();
  }

  /** The current description (status RUNNING until done settles). */
  describe(): ExecutionDescription {
    return this.description;
  }

  /** Stops the execution: every running state's signal aborts; the status becomes ABORTED. */
  abort(reason?: string): void {
    if (this.description.status !== 'RUNNING') return;
    this.controller.abort(new ExecutionAbortedError(reason ?? 'aborted'));
  }

  invokeTask(
    run: StateRun,
    resource: string,
    input: unknown,
    signal: AbortSignal,
    heartbeat: () => void,
  ): Promise<unknown> {
    return this.invoker(run, resource, input, signal, heartbeat);
  }

  private async run(): Promise<ExecutionDescription> {
    const { definition, input, clock } = this.options;
    this.history.add('ExecutionStarted', { input: this.inputText, roleArn: this.options.roleArn }, 0);
    const frame: Frame = {
      variables: {},
      signal: this.controller.signal,
      queryLanguage: definition.QueryLanguage ?? 'JSONPath',
    };
    let timedOut = false;
    const timers = new AbortController();
    const work = this.runMachine(definition, input, frame);
    const racers: Promise<unknown>[] = [work];
    if (typeof definition.TimeoutSeconds === 'number') {
      racers.push(
        clock.sleep(definition.TimeoutSeconds * 1000, timers.signal).then(
          () => {
            timedOut = true;
            this.controller.abort(new ExecutionAbortedError('timed out'));
          },
          () => undefined,
        ),
      );
    }
    const aborted = new Promise<void>((resolve) =>
      this.controller.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    try {
      // An abort (StopExecution, global timeout) settles at once; running work has been told to stop through its
      // signal and is not waited for, so a handler that ignores the signal cannot hold the execution open.
      const output = await Promise.race([
        work,
        aborted.then(() => {
          throw new ExecutionAbortedError('aborted');
        }),
      ]);
      if (this.controller.signal.aborted) throw new ExecutionAbortedError('aborted');
      const outputText = JSON.stringify(output === undefined ? null : output);
      this.history.add('ExecutionSucceeded', { output: outputText });
      this.settle({ status: 'SUCCEEDED', output: outputText });
    } catch (thrown) {
      if (timedOut) {
        this.history.add('ExecutionTimedOut', {});
        this.settle({ status: 'TIMED_OUT' });
      } else if (this.controller.signal.aborted || thrown instanceof ExecutionAbortedError) {
        const reason = this.controller.signal.reason as Error | undefined;
        this.history.add('ExecutionAborted', { cause: reason?.message });
        this.settle({ status: 'ABORTED', cause: reason?.message });
      } else {
        const error = toStatesError(thrown);
        this.history.add('ExecutionFailed', { error: error.error, cause: error.cause });
        this.settle({ status: 'FAILED', error: error.error, cause: error.cause });
      }
    } finally {
      timers.abort();
      work.catch(() => undefined);
    }
    return this.description;
  }

  private settle(fields: Partial<ExecutionDescription>): void {
    const d: Record<string, unknown> = { ...this.description, ...fields, stopDate: new Date(this.clock.now()) };
    // DescribeExecution leaves out absent and empty error/cause (a Task timeout's cause is '').
    for (const key of Object.keys(d)) {
      if (d[key] === undefined || ((key === 'cause' || key === 'error') && d[key] === '')) delete d[key];
    }
    this.description = d as unknown as ExecutionDescription;
  }

  /** Runs a machine (the top level, a branch, an iteration) from StartAt to its end. */
  async runMachine(machine: MachineDefinition, input: unknown, frame: Frame): Promise<unknown> {
    let name = machine.StartAt;
    let value = input;
    for (;;) {
      if (frame.signal.aborted) throw new ExecutionAbortedError('aborted');
      // A loop of synchronous states would starve timers and abort(): give the event loop a turn now and then.
      if (++this.transitions % 1000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.history.events.length > this.options.maxHistoryEvents) {
        throw new StatesError(
          'States.Runtime',
          `The execution reached the limit of ${this.options.maxHistoryEvents} history events.`,
        );
      }
      const state = machine.States[name];
      if (!state) throw new RuntimeError(`State '${name}' does not exist`);
      const outcome = await this.runState(name, state, value, frame);
      if (outcome.next === undefined) return outcome.output;
      name = outcome.next;
      value = outcome.output;
    }
  }

  private async runState(name: string, state: StateDefinition, input: unknown, frame: Frame): Promise<StateOutcome> {
    const type = state.Type;
    const enteredTime = this.clock.now();
    const entered = this.history.add(`${type}StateEntered` as HistoryEventType, { name, input: JSON.stringify(input) });
    const jsonata = (state.QueryLanguage ?? frame.queryLanguage) === 'JSONata';
    const run = new StateRunImpl(this, name, state, jsonata, input, frame, entered, enteredTime);
    const runner = RUNNERS[type];
    if (!runner) throw new RuntimeError(`Unknown state type '${type}' in state '${name}'`);
    let outcome: StateOutcome;
    try {
      outcome = await runner(run);
    } catch (thrown) {
      if (thrown instanceof ExecutionAbortedError || frame.signal.aborted) throw new ExecutionAbortedError('aborted');
      throw thrown instanceof StatesError ? locateError(run, thrown) : thrown;
    }
    const outputText = JSON.stringify(outcome.output) ?? 'null';
    if (outputText.length > MAX_PAYLOAD_BYTES / 4 && Buffer.byteLength(outputText, 'utf8') > MAX_PAYLOAD_BYTES) {
      throw new DataLimitExceededError(
        `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
      );
    }
    this.history.add(`${type}StateExited` as HistoryEventType, { name, output: outputText });
    return outcome;
  }
}
