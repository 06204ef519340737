/** The parts of an Amazon States Language definition the engine reads. Fields are as the ASL spec names them. */

export type QueryLanguage = 'JSONPath' | 'JSONata';

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
  readonly Output?: unknown;
  readonly Assign?: Readonly<Record<string, unknown>>;
}

/** One state. Type-specific fields are read by the module for that state type. */
export interface StateDefinition {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly QueryLanguage?: QueryLanguage;
  readonly InputPath?: string | null;
  readonly OutputPath?: string | null;
  readonly ResultPath?: string | null;
  readonly Parameters?: unknown;
  readonly ResultSelector?: unknown;
  readonly Arguments?: unknown;
  readonly Output?: unknown;
  readonly Assign?: Readonly<Record<string, unknown>>;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
  readonly [field: string]: unknown;
}

/** A state machine, or the inner machine of a Parallel branch or Map ItemProcessor. */
export interface MachineDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, StateDefinition>>;
  readonly QueryLanguage?: QueryLanguage;
  readonly TimeoutSeconds?: number;
  readonly Comment?: string;
  readonly Version?: string;
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
