/** A target's RetryPolicy, as in PutTargets. */
export interface RetryPolicy {
  /** Retries after the first attempt, 0..185 (AWS default 185). */
  readonly MaximumRetryAttempts?: number;
  /** Oldest age, in seconds, at which an attempt may still be made, 60..86400 (AWS default 86400). */
  readonly MaximumEventAgeInSeconds?: number;
}

/** Backoff between attempts: exponential, capped. AWS does not publish its schedule; these are our defaults. */
export interface BackoffOptions {
  /** Delay before the first retry (default 1,000 ms). */
  readonly initialDelayMs?: number;
  /** Multiplier per retry (default 2). */
  readonly multiplier?: number;
  /** Largest delay (default 60,000 ms). */
  readonly maxDelayMs?: number;
  /** 0..1 share of each delay randomized down (default 0: deterministic). */
  readonly jitter?: number;
}

export const DEFAULT_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAX_EVENT_AGE_SECONDS = 86_400;

/** The effective policy with AWS's defaults and bounds; throws a message naming the bad field. */
export function resolveRetryPolicy(policy: RetryPolicy | undefined): Required<RetryPolicy> {
  const attempts = policy?.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
  const age = policy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_EVENT_AGE_SECONDS;
  if (!Number.isInteger(attempts) || attempts < 0 || attempts > 185) {
    throw new Error(`RetryPolicy.MaximumRetryAttempts must be an integer from 0 to 185, got ${attempts}`);
  }
  if (!Number.isInteger(age) || age < 60 || age > 86_400) {
    throw new Error(`RetryPolicy.MaximumEventAgeInSeconds must be an integer from 60 to 86400, got ${age}`);
  }
  return { MaximumRetryAttempts: attempts, MaximumEventAgeInSeconds: age };
}

/** Delay before retry number `retry` (1-based). */
export function backoffDelay(retry: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialDelayMs ?? 1_000;
  const multiplier = options.multiplier ?? 2;
  const max = options.maxDelayMs ?? 60_000;
  const delay = Math.min(max, initial * multiplier ** (retry - 1));
  const jitter = options.jitter ?? 0;
  return Math.round(delay * (1 - jitter * random()));
}
