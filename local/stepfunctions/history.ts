/**
 * Execution history, shaped like GetExecutionHistory: numbered events with a type and the matching
 * `<type>EventDetails` object. Listeners see each event as it is recorded.
 */

/** Event types as GetExecutionHistory names them (the subset this engine emits). */
export type HistoryEventType =
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimedOut'
  | `${'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map'}State${'Entered' | 'Exited'}`
  | 'TaskScheduled'
  | 'TaskStarted'
  | 'TaskSucceeded'
  | 'TaskFailed'
  | 'TaskTimedOut'
  | 'LambdaFunctionScheduled'
  | 'LambdaFunctionStarted'
  | 'LambdaFunctionSucceeded'
  | 'LambdaFunctionFailed'
  | 'LambdaFunctionTimedOut'
  | 'MapStateStarted'
  | 'MapStateSucceeded'
  | 'MapStateFailed'
  | 'MapStateAborted'
  | 'MapIterationStarted'
  | 'MapIterationSucceeded'
  | 'MapIterationFailed'
  | 'MapIterationAborted'
  | 'ParallelStateStarted'
  | 'ParallelStateSucceeded'
  | 'ParallelStateFailed'
  | 'ParallelStateAborted';

/** One history event. `details` holds what AWS puts under `<camelCaseType>EventDetails`. */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: HistoryEventType;
  /** The execution this event belongs to (nested executions have their own). */
  readonly executionArn: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export type HistoryListener = (event: HistoryEvent) => void;

/** The history of one execution. */
export class History {
  readonly events: HistoryEvent[] = [];
  private readonly listeners = new Set<HistoryListener>();

  constructor(
    private readonly executionArn: string,
    private readonly now: () => number,
    private readonly forward: HistoryListener,
  ) {}

  /** Records an event; returns its id. */
  add(type: HistoryEventType, details?: Record<string, unknown>, previousEventId?: number): number {
    const id = this.events.length + 1;
    const event: HistoryEvent = {
      id,
      previousEventId: previousEventId ?? id - 1,
      timestamp: new Date(this.now()),
      type,
      executionArn: this.executionArn,
      ...(details ? { details } : {}),
    };
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
    this.forward(event);
    return id;
  }

  /** Calls `listener` for each later event; returns an unsubscribe function. */
  subscribe(listener: HistoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Names of the states entered, in order (what the conformance corpus records as `states`). */
  enteredStateNames(): string[] {
    return this.events.filter((e) => e.type.endsWith('StateEntered')).map((e) => String(e.details?.name));
  }
}
