/** What a state module gets to work with while one state runs, and what it gives back. */
import type { Clock } from '../clock.ts';
import type { History } from './history.ts';
import type { JsonObject, MachineDefinition, StateDefinition } from './types.ts';

/** Variables and map-item context of one scope (the machine, a Parallel branch, a Map iteration). */
export interface Frame {
  /** This scope's variables; inner scopes inherit outer ones through the prototype chain. */
  readonly variables: Record<string, unknown>;
  /** `$$.Map.Item` inside a Map iteration. */
  readonly mapItem?: { readonly Index: number; readonly Value: unknown };
  /** Aborts when this scope's work must stop (execution stopped, sibling branch or iteration failed). */
  readonly signal: AbortSignal;
  /** The query language of the enclosing machine, the default for its states. */
  readonly queryLanguage: 'JSONPath' | 'JSONata';
}

/** The execution-wide services a state needs. Implemented by `ExecutionRun`. */
export interface ExecutionServices {
  readonly executionArn: string;
  readonly history: History;
  readonly clock: Clock;
  /** The context object's Execution / StateMachine parts. */
  readonly contextBase: { readonly Execution: JsonObject; readonly StateMachine: JsonObject };
  /** Runs an inner machine (branch, iteration) to its end; resolves with its output. */
  runMachine(machine: MachineDefinition, input: unknown, frame: Frame): Promise<unknown>;
  /** Finds the handler for a Task resource and calls it. */
  invokeTask(
    run: StateRun,
    resource: string,
    input: unknown,
    signal: AbortSignal,
    heartbeat: () => void,
  ): Promise<unknown>;
}

/** One state being run. */
export interface StateRun {
  readonly exec: ExecutionServices;
  readonly name: string;
  readonly state: StateDefinition;
  /** True when this state uses JSONata. */
  readonly jsonata: boolean;
  /** The state's raw input. */
  readonly input: unknown;
  readonly frame: Frame;
  readonly enteredEventId: number;
  readonly enteredTime: number;
  /** Number of retries so far (`$$.State.RetryCount`). */
  retryCount: number;
  /** The context object (`$$` / `$states.context`) as of now. */
  context(): JsonObject;
}

/** A state's result: its output and the next state (undefined at the end of the machine). */
export interface StateOutcome {
  readonly output: unknown;
  readonly next: string | undefined;
}
