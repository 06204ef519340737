import { CatchUpConfigError } from './errors.ts';

/** How far back the sweep looks and how much it starts per run. */
export interface CatchUpConfig {
  /** Hours looked at, ending at the previous full hour (`CATCH_UP_WINDOW_HOURS`, default 24). */
  readonly windowHours: number;
  /** Orchestrations started per run at most (`CATCH_UP_MAX_HOURS_PER_RUN`, default 6); the rest waits for the next run. */
  readonly maxHoursPerRun: number;
  /**
   * A table-hour whose ledger holds this many failed attempts is left to an operator (`CATCH_UP_MAX_ATTEMPTS`,
   * default 3): a failure that repeats (bad data, a schema mismatch) would otherwise be retried, and alarm, every hour.
   */
  readonly maxAttempts: number;
}

export const DEFAULT_CATCH_UP_WINDOW_HOURS = 24;
export const DEFAULT_CATCH_UP_MAX_HOURS_PER_RUN = 6;
export const DEFAULT_CATCH_UP_MAX_ATTEMPTS = 3;
/** A window longer than the 90 days Step Functions keeps names unique would let a sweep restart very old hours twice. */
const MAX_WINDOW_HOURS = 24 * 90;

function positiveInteger(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  max: number,
): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new CatchUpConfigError(`${name} must be an integer from 1 to ${max}, got '${text}'`);
  }
  return value;
}

/** Reads the catch-up configuration from the function's environment; a bad value throws naming the variable. */
export function catchUpConfigFromEnv(env: Readonly<Record<string, string | undefined>>): CatchUpConfig {
  return {
    windowHours: positiveInteger(env, 'CATCH_UP_WINDOW_HOURS', DEFAULT_CATCH_UP_WINDOW_HOURS, MAX_WINDOW_HOURS),
    maxHoursPerRun: positiveInteger(env, 'CATCH_UP_MAX_HOURS_PER_RUN', DEFAULT_CATCH_UP_MAX_HOURS_PER_RUN, 24 * 31),
    maxAttempts: positiveInteger(env, 'CATCH_UP_MAX_ATTEMPTS', DEFAULT_CATCH_UP_MAX_ATTEMPTS, 100),
  };
}
